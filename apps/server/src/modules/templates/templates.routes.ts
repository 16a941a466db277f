import { createTemplateRequestSchema } from '@openwaba/cloud-api';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { HttpApp, Platform } from '../../platform/context.js';
import { AppError, notFound, standardErrors } from '../../platform/http/errors.js';
import { requirePermission, workspaceAccess } from '../../platform/http/tenant.js';
import { recordAudit } from '../audit/audit.service.js';
import { wabas } from '../channels/channels.tables.js';
import { templateParametersSchema } from './templates.params.js';
import { findTemplate, listTemplateRows } from './templates.repository.js';
import {
  createTemplate,
  deleteTemplate,
  previewTemplate,
  syncWabaTemplates,
  type TemplateFailure,
} from './templates.service.js';
import type { TemplateRow } from './templates.tables.js';

const tags = ['templates'];
const workspaceParams = z.object({ workspaceId: z.string() });
const templateParams = z.object({ workspaceId: z.string(), templateId: z.string() });

const templateView = z
  .object({
    id: z.string(),
    wabaId: z.string(),
    externalId: z.string().nullable(),
    name: z.string(),
    language: z.string(),
    category: z.string(),
    status: z.string(),
    statusReason: z.string().nullable(),
    qualityScore: z.string().nullable(),
    parameterFormat: z.enum(['positional', 'named']),
    components: z.array(z.record(z.string(), z.unknown())),
    updatedAt: z.string(),
  })
  .meta({ id: 'Template' });

const view = (row: TemplateRow): z.infer<typeof templateView> => ({
  id: row.id,
  wabaId: row.wabaId,
  externalId: row.externalId,
  name: row.name,
  language: row.language,
  category: row.category,
  status: row.status,
  statusReason: row.statusReason,
  qualityScore: row.qualityScore,
  parameterFormat: row.parameterFormat,
  components: row.components,
  updatedAt: row.updatedAt.toISOString(),
});

function failureError(failure: TemplateFailure): AppError {
  switch (failure.kind) {
    case 'invalid':
      return new AppError('template_invalid', 'The template breaks WhatsApp rules', failure.problems);
    case 'channel':
      return new AppError(
        failure.reason === 'not_found' ? 'channel_not_found' : 'channel_not_connected',
        `The channel cannot reach Meta (${failure.reason})`,
      );
    case 'duplicate':
      return new AppError('already_exists', 'A template with this name and language exists for this WABA');
    case 'meta':
      return new AppError(
        'template_invalid',
        `Meta refused the template (code ${failure.code ?? '?'}): ${failure.message}`,
      );
    default:
      return failure satisfies never;
  }
}

export function registerTemplateRoutes(app: HttpApp, platform: Platform): void {
  app.post(
    '/api/v1/workspaces/:workspaceId/templates',
    {
      ...requirePermission('templates.manage'),
      schema: {
        tags,
        summary: "Create a template and submit it to the channel's WABA for review (checked locally first)",
        params: workspaceParams,
        body: z.object({ channelId: z.string(), template: createTemplateRequestSchema }),
        response: { 201: z.object({ template: templateView }), ...standardErrors },
      },
    },
    async (request, reply) => {
      const result = await createTemplate(platform, workspaceAccess(request), request.body);
      if (!result.ok) throw failureError(result.failure);
      return reply.status(201).send({ template: view(result.value) });
    },
  );

  app.get(
    '/api/v1/workspaces/:workspaceId/templates',
    {
      ...requirePermission('templates.view'),
      schema: {
        tags,
        summary: 'List templates with their status, quality and category',
        params: workspaceParams,
        querystring: z.object({ status: z.string().optional(), wabaId: z.string().optional() }),
        response: { 200: z.object({ items: z.array(templateView) }), ...standardErrors },
      },
    },
    async (request) => {
      const rows = await listTemplateRows(platform.db, workspaceAccess(request).workspaceId, request.query);
      return { items: rows.map(view) };
    },
  );

  app.get(
    '/api/v1/workspaces/:workspaceId/templates/:templateId',
    {
      ...requirePermission('templates.view'),
      schema: {
        tags,
        summary: 'One template',
        params: templateParams,
        response: { 200: z.object({ template: templateView }), ...standardErrors },
      },
    },
    async (request) => {
      const row = await findTemplate(
        platform.db,
        workspaceAccess(request).workspaceId,
        request.params.templateId,
      );
      if (!row) throw notFound('Template');
      return { template: view(row) };
    },
  );

  app.delete(
    '/api/v1/workspaces/:workspaceId/templates/:templateId',
    {
      ...requirePermission('templates.manage'),
      schema: {
        tags,
        summary: 'Delete a template (this language) at Meta and here',
        params: templateParams,
        response: { 204: z.null(), ...standardErrors },
      },
    },
    async (request, reply) => {
      const access = workspaceAccess(request);
      const row = await findTemplate(platform.db, access.workspaceId, request.params.templateId);
      if (!row || row.status === 'DELETED') throw notFound('Template');
      const result = await deleteTemplate(platform, access, row);
      if (!result.ok) throw failureError(result.failure);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/workspaces/:workspaceId/templates/:templateId/preview',
    {
      ...requirePermission('templates.view'),
      schema: {
        tags,
        summary:
          'Fill a template with parameters: the rendered text, or exactly which parameters are missing or malformed',
        params: templateParams,
        body: z.object({ parameters: templateParametersSchema.optional() }),
        response: {
          200: z.object({
            ok: z.boolean(),
            rendered: z.object({ header: z.string().optional(), body: z.string() }).optional(),
            components: z.array(z.record(z.string(), z.unknown())).optional(),
            problems: z.array(z.object({ path: z.string(), message: z.string() })),
          }),
          ...standardErrors,
        },
      },
    },
    async (request) => {
      const row = await findTemplate(
        platform.db,
        workspaceAccess(request).workspaceId,
        request.params.templateId,
      );
      if (!row) throw notFound('Template');
      const filled = previewTemplate(row, request.body.parameters);
      return filled.ok
        ? {
            ok: true,
            rendered: filled.rendered,
            components: filled.components as Record<string, unknown>[],
            problems: [],
          }
        : { ok: false, problems: filled.problems };
    },
  );

  app.post(
    '/api/v1/workspaces/:workspaceId/templates/sync',
    {
      ...requirePermission('templates.manage'),
      schema: {
        tags,
        summary: "Refresh the workspace's templates from Meta now",
        params: workspaceParams,
        response: { 200: z.object({ changed: z.number() }), ...standardErrors },
      },
    },
    async (request) => {
      const access = workspaceAccess(request);
      const changed = await syncWorkspace(platform, access.workspaceId);
      // The sync writes template by template as Meta pages in; the request is recorded once it is done.
      await recordAudit(platform.db, access.actor, {
        workspaceId: access.workspaceId,
        action: 'template.synced',
        resourceType: 'template',
        after: { changed },
      });
      return { changed };
    },
  );
}

async function syncWorkspace(platform: Platform, workspaceId: string): Promise<number> {
  const rows = await platform.db
    .select({ id: wabas.id })
    .from(wabas)
    .where(and(eq(wabas.workspaceId, workspaceId), eq(wabas.status, 'active')));
  let total = 0;
  for (const row of rows) total += await syncWabaTemplates(platform, row.id);
  return total;
}
