import { type CreateTemplateRequest, GraphApiError, type MessageTemplate } from '@openwaba/cloud-api';
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Platform } from '../../platform/context.js';
import type { WorkspaceAccess } from '../../platform/http/auth.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { sendingCredentials } from '../channels/channels.credentials.js';
import { wabas } from '../channels/channels.tables.js';
import {
  type FillResult,
  fillTemplate,
  type ParameterProblem,
  type TemplateParameters,
} from './templates.params.js';
import { type TemplateRow, templates } from './templates.tables.js';
import { validateTemplate } from './templates.validation.js';

export type TemplateFailure =
  | { kind: 'channel'; reason: string }
  | { kind: 'invalid'; problems: ParameterProblem[] }
  | { kind: 'duplicate' }
  | { kind: 'meta'; code: number | undefined; message: string };

export type TemplateResult<T> = { ok: true; value: T } | { ok: false; failure: TemplateFailure };

/** Validates locally, submits to the channel's WABA, stores the row (PENDING) with its audit entry. */
export async function createTemplate(
  platform: Platform,
  access: WorkspaceAccess,
  input: { channelId: string; template: CreateTemplateRequest },
): Promise<TemplateResult<TemplateRow>> {
  const problems = validateTemplate(input.template);
  if (problems.length > 0) return { ok: false, failure: { kind: 'invalid', problems } };
  const credentials = await sendingCredentials(platform, access.workspaceId, input.channelId);
  if (!credentials.ok) return { ok: false, failure: { kind: 'channel', reason: credentials.reason } };
  const { channel } = credentials;
  const [existing] = await platform.db
    .select({ id: templates.id })
    .from(templates)
    .where(
      and(
        eq(templates.wabaId, channel.wabaId),
        eq(templates.name, input.template.name),
        eq(templates.language, input.template.language),
        ne(templates.status, 'DELETED'),
      ),
    );
  if (existing) return { ok: false, failure: { kind: 'duplicate' } };
  let created: Awaited<ReturnType<Platform['graph']['createTemplate']>>;
  try {
    created = await platform.graph.createTemplate({
      accessToken: credentials.accessToken,
      wabaId: credentials.wabaExternalId,
      template: input.template,
    });
  } catch (error) {
    if (error instanceof GraphApiError) {
      const message = error.userMessage ?? error.details ?? error.metaMessage ?? 'Meta refused the template';
      return { ok: false, failure: { kind: 'meta', code: error.code, message } };
    }
    throw error;
  }
  const row = await platform.db.transaction(async (tx) => {
    // A DELETED row of the same name and language is replaced by the new submission; a row for this
    // very template may exist already, written by a sync that an early webhook asked for.
    await tx
      .delete(templates)
      .where(
        and(
          eq(templates.wabaId, channel.wabaId),
          eq(templates.name, input.template.name),
          eq(templates.language, input.template.language),
          sql`${templates.externalId} IS DISTINCT FROM ${created.id}`,
        ),
      );
    const [inserted] = await tx
      .insert(templates)
      .values({
        id: newId('template'),
        workspaceId: access.workspaceId,
        wabaId: channel.wabaId,
        externalId: created.id,
        name: input.template.name,
        language: input.template.language,
        category: created.category ?? input.template.category,
        status: created.status,
        parameterFormat: input.template.parameter_format ?? 'positional',
        components: input.template.components as Record<string, unknown>[],
      })
      .onConflictDoUpdate({
        target: [templates.wabaId, templates.name, templates.language],
        // The synced row knows Meta's later status; the submission adds what only it knows.
        set: { parameterFormat: input.template.parameter_format ?? 'positional', updatedAt: new Date() },
      })
      .returning();
    if (!inserted) throw new Error('template insert returned nothing');
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'template.created',
      resourceType: 'template',
      resourceId: inserted.id,
      after: { name: inserted.name, language: inserted.language, category: inserted.category },
    });
    return inserted;
  });
  return { ok: true, value: row };
}

/** Deletes the template at Meta (this language only) and marks it DELETED here. */
export async function deleteTemplate(
  platform: Platform,
  access: WorkspaceAccess,
  template: TemplateRow,
): Promise<TemplateResult<null>> {
  const [waba] = await platform.db.select().from(wabas).where(eq(wabas.id, template.wabaId));
  const token = waba?.tokenSecretId
    ? await platform.vault.reveal(access.workspaceId, waba.tokenSecretId)
    : null;
  if (!waba || !token) return { ok: false, failure: { kind: 'channel', reason: 'no_token' } };
  if (template.externalId) {
    try {
      await platform.graph.deleteTemplate({
        accessToken: token,
        wabaId: waba.externalId,
        name: template.name,
        hsmId: template.externalId,
      });
    } catch (error) {
      // Already gone at Meta: finish the deletion here.
      if (!(error instanceof GraphApiError) || error.code !== 100) {
        if (error instanceof GraphApiError) {
          return {
            ok: false,
            failure: { kind: 'meta', code: error.code, message: error.metaMessage ?? 'refused' },
          };
        }
        throw error;
      }
    }
  }
  await platform.db.transaction(async (tx) => {
    await tx
      .update(templates)
      .set({ status: 'DELETED', updatedAt: new Date() })
      .where(and(eq(templates.workspaceId, access.workspaceId), eq(templates.id, template.id)));
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'template.deleted',
      resourceType: 'template',
      resourceId: template.id,
      before: { name: template.name, language: template.language, status: template.status },
    });
  });
  return { ok: true, value: null };
}

export function previewTemplate(
  template: TemplateRow,
  parameters: TemplateParameters | undefined,
): FillResult {
  return fillTemplate(template, parameters);
}

/**
 * Mirrors every template of one WABA from Meta: statuses, reasons, quality, category; templates made
 * outside the platform (in WhatsApp Manager) appear too. Returns how many rows changed or appeared.
 */
export async function syncWabaTemplates(platform: Platform, wabaRowId: string): Promise<number> {
  const [waba] = await platform.db.select().from(wabas).where(eq(wabas.id, wabaRowId));
  if (!waba?.tokenSecretId || waba.status !== 'active') return 0;
  const accessToken = await platform.vault.reveal(waba.workspaceId, waba.tokenSecretId);
  let after: string | undefined;
  let changed = 0;
  do {
    // What Meta lists is at least as new as this moment; a webhook from an earlier second is stale.
    // Whole seconds, as Meta's webhook times are: a webhook of the same second still applies.
    const askedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const page = await platform.graph.listTemplates({
      accessToken,
      wabaId: waba.externalId,
      limit: 100,
      after,
    });
    for (const remote of page.data)
      changed += await upsertRemote(platform, waba.workspaceId, waba.id, remote, askedAt);
    after = page.nextCursor;
  } while (after);
  return changed;
}

async function upsertRemote(
  platform: Platform,
  workspaceId: string,
  wabaId: string,
  remote: MessageTemplate,
  askedAt: Date,
): Promise<number> {
  const values = {
    externalId: remote.id,
    status: remote.status,
    statusReason: remote.rejected_reason && remote.rejected_reason !== 'NONE' ? remote.rejected_reason : null,
    category: remote.category ?? 'UTILITY',
    qualityScore: remote.quality_score?.score ?? null,
    parameterFormat:
      remote.parameter_format?.toLowerCase() === 'named' ? ('named' as const) : ('positional' as const),
    components: (remote.components ?? []) as Record<string, unknown>[],
    statusAt: askedAt,
    qualityAt: askedAt,
    categoryAt: askedAt,
    lastSyncedAt: new Date(),
  };
  // A value stored from a webhook newer than the question to Meta stays (each with its own time).
  const keepStored = (value: string, at: string) =>
    sql.raw(
      `CASE WHEN "templates"."${at}" > excluded."${at}" THEN "templates"."${value}" ELSE excluded."${value}" END`,
    );
  const latest = (at: string) => sql.raw(`GREATEST("templates"."${at}", excluded."${at}")`);
  const rows = await platform.db
    .insert(templates)
    .values({
      id: newId('template'),
      workspaceId,
      wabaId,
      name: remote.name,
      language: remote.language,
      ...values,
    })
    .onConflictDoUpdate({
      target: [templates.wabaId, templates.name, templates.language],
      set: {
        ...values,
        status: keepStored('status', 'status_at'),
        statusReason: keepStored('status_reason', 'status_at'),
        statusAt: latest('status_at'),
        qualityScore: keepStored('quality_score', 'quality_at'),
        qualityAt: latest('quality_at'),
        category: keepStored('category', 'category_at'),
        categoryAt: latest('category_at'),
        updatedAt: new Date(),
      },
    })
    .returning({ id: templates.id });
  return rows.length;
}

/** Every active WABA's templates; the periodic sync job. */
export async function syncAllTemplates(platform: Platform): Promise<number> {
  const rows = await platform.db.select({ id: wabas.id }).from(wabas).where(eq(wabas.status, 'active'));
  let total = 0;
  for (const row of rows) {
    try {
      total += await syncWabaTemplates(platform, row.id);
    } catch (error) {
      platform.logger.warn({ err: error, wabaId: row.id }, 'template sync failed');
    }
  }
  return total;
}
