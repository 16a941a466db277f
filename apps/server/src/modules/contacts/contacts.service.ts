import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import type { Platform } from '../../platform/context.js';
import type { Database, Executor } from '../../platform/db/client.js';
import type { WorkspaceAccess } from '../../platform/http/auth.js';
import type { ErrorDetail } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { csvCell, recordAudit } from '../audit/audit.service.js';
import type { ConversationScope } from '../conversations/conversations.repository.js';
import { scopeFor } from '../conversations/conversations.service.js';
import { contactOptChanged } from '../messages/messages.events.js';
import { applyOptChange } from './contacts.inbound.js';
import * as repo from './contacts.repository.js';
import type {
  ContactFilters,
  ContactSort,
  CreateContactInput,
  ListContactsQuery,
  UpdateContactInput,
} from './contacts.schemas.js';
import type { ContactRow } from './contacts.tables.js';

type Access = Pick<WorkspaceAccess, 'workspaceId' | 'principal' | 'can' | 'actor'>;
export type Result<T, F extends string> =
  | { ok: true; value: T }
  | { ok: false; reason: F; details?: ErrorDetail[] };

const fail = <F extends string>(reason: F, details?: ErrorDetail[]) => ({
  ok: false as const,
  reason,
  details,
});
const ok = <T>(value: T) => ({ ok: true as const, value });

/** The caller's view of contacts and of the conversations behind them (one settings read). */
async function visibilityOf(db: Executor, access: Access) {
  const scope = await scopeFor(db, access);
  return { scope, visibility: repo.contactVisibility(access, scope) };
}

// Cursors are opaque to clients: the sort they belong to, the exact sort key, and the row id.
const cursorShape = z.object({
  s: z.enum(['created', 'name', 'last_inbound']),
  k: z.string(),
  i: z.string(),
});

function encodeCursor(sort: ContactSort, position: repo.Position): string {
  return Buffer.from(JSON.stringify({ s: sort, k: position.key, i: position.id })).toString('base64url');
}

function decodeCursor(sort: ContactSort, cursor: string | undefined): repo.Position | null | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = cursorShape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (!parsed.success || parsed.data.s !== sort) return null;
    const isTime = sort !== 'name';
    if (isTime && parsed.data.k !== '-infinity' && Number.isNaN(Date.parse(parsed.data.k))) return null;
    return { key: parsed.data.k, id: parsed.data.i };
  } catch {
    return null;
  }
}

const iso = (value: Date | null) => value?.toISOString() ?? null;

export function toSummary(row: ContactRow) {
  return {
    id: row.id,
    name: row.name ?? row.profileName,
    phone: row.phoneE164,
    email: row.email,
    tags: row.tags,
    optedOutAt: iso(row.optedOutAt),
    marketingOptedOutAt: iso(row.marketingOptedOutAt),
    lastInboundAt: iso(row.lastInboundAt),
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listContactPage(db: Database, access: Access, query: ListContactsQuery) {
  const after = decodeCursor(query.sort, query.cursor);
  if (after === null) return fail('bad_cursor');
  const { visibility } = await visibilityOf(db, access);
  const { q, tag, optState } = query;
  const rows = await repo.listContacts(db, visibility, { q, tag, optState }, query.sort, {
    after,
    limit: query.limit + 1,
  });
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return ok({
    items: items.map((row) => toSummary(row.contact)),
    nextCursor:
      rows.length > query.limit && last
        ? encodeCursor(query.sort, { key: last.sortKey, id: last.contact.id })
        : null,
  });
}

async function toDetail(db: Executor, scope: ConversationScope, row: ContactRow) {
  const [history, conversations] = await Promise.all([
    repo.optHistory(db, row.workspaceId, row.id, 100),
    repo.contactConversations(db, scope, row.id),
  ]);
  return {
    ...toSummary(row),
    profileName: row.profileName,
    customName: row.name,
    waId: row.waId,
    attributes: row.attributes,
    updatedAt: row.updatedAt.toISOString(),
    optHistory: history.map((event) => ({
      id: event.id,
      change: event.change,
      source: event.source,
      detail: event.detail,
      messageId: event.messageId,
      actor: event.actorId ? { id: event.actorId, label: event.actorLabel } : null,
      occurredAt: event.occurredAt.toISOString(),
    })),
    conversations,
  };
}
export type ContactDetail = Awaited<ReturnType<typeof toDetail>>;

export async function getContact(db: Executor, access: Access, contactId: string) {
  const { scope, visibility } = await visibilityOf(db, access);
  const row = await repo.findContact(db, visibility, contactId);
  return row ? toDetail(db, scope, row) : undefined;
}

/** E.164 of what someone typed, with a country for national numbers; null when not a valid number. */
export function parsePhone(input: string, country?: string): string | null {
  const parsed = parsePhoneNumberFromString(
    input,
    country ? { defaultCountry: country as never } : undefined,
  );
  return parsed?.isValid() ? parsed.number : null;
}

export type CreateFailure = 'invalid_phone' | 'already_exists';

/**
 * Adds a contact by phone number. A contact the team deleted earlier comes back with the new details
 * and its old opt-out state: a STOP is never forgotten by deleting and re-adding someone.
 */
export async function createContact(
  db: Database,
  access: Access,
  input: CreateContactInput,
): Promise<Result<ContactDetail, CreateFailure>> {
  const phone = parsePhone(input.phone, input.country);
  if (!phone) return fail('invalid_phone');
  const waId = phone.slice(1);
  return db.transaction(async (tx) => {
    const details = {
      name: input.name ?? null,
      email: input.email ?? null,
      attributes: input.attributes ?? {},
      tags: input.tags ?? [],
    };
    const existing = await repo.lockContactByWaId(tx, access.workspaceId, waId);
    if (existing && !existing.deletedAt) return fail('already_exists');
    const row = existing
      ? await repo.updateContactRow(tx, access.workspaceId, existing.id, { ...details, deletedAt: null })
      : await repo.insertContact(tx, {
          id: newId('contact'),
          workspaceId: access.workspaceId,
          waId,
          phoneE164: phone,
          ...details,
        });
    if (!row) return fail('already_exists');
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: existing ? 'contact.restored' : 'contact.created',
      resourceType: 'contact',
      resourceId: row.id,
      after: { phone, ...details },
    });
    return ok(await toDetail(tx, await scopeFor(tx, access), row));
  });
}

/** Runs a change on a visible contact, locked, inside one transaction; not_found when not visible. */
async function changeContact<T>(
  db: Database,
  access: Access,
  contactId: string,
  change: (tx: Executor, row: ContactRow, scope: ConversationScope) => Promise<T>,
): Promise<Result<T, 'not_found'>> {
  return db.transaction(async (tx) => {
    const { scope, visibility } = await visibilityOf(tx, access);
    const row = await repo.lockContact(tx, visibility, contactId);
    if (!row) return fail('not_found');
    return ok(await change(tx, row, scope));
  });
}

const editableFields = ['name', 'email', 'attributes', 'tags'] as const;
type EditableField = (typeof editableFields)[number];

export async function updateContact(
  db: Database,
  access: Access,
  contactId: string,
  patch: UpdateContactInput,
) {
  return changeContact(db, access, contactId, async (tx, row, scope) => {
    const before: Partial<Pick<ContactRow, EditableField>> = {};
    const after: Partial<Pick<ContactRow, EditableField>> = {};
    for (const field of editableFields) {
      const value = patch[field];
      if (value === undefined || JSON.stringify(value) === JSON.stringify(row[field])) continue;
      Object.assign(before, { [field]: row[field] });
      Object.assign(after, { [field]: value });
    }
    if (Object.keys(after).length === 0) return toDetail(tx, scope, row);
    const updated = await repo.updateContactRow(tx, access.workspaceId, row.id, after);
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'contact.updated',
      resourceType: 'contact',
      resourceId: row.id,
      before,
      after,
    });
    return toDetail(tx, scope, updated);
  });
}

/**
 * Erases a contact nothing refers to; hides one that conversations, messages or opt changes still refer
 * to (the inbox keeps its history, the opt-out record stays). Returns which it did.
 */
export async function deleteContact(db: Database, access: Access, contactId: string) {
  return changeContact(db, access, contactId, async (tx, row) => {
    const mode = (await repo.contactIsReferenced(tx, access.workspaceId, row.id)) ? 'hidden' : 'erased';
    if (mode === 'hidden')
      await repo.updateContactRow(tx, access.workspaceId, row.id, { deletedAt: new Date() });
    else await repo.deleteContactRow(tx, access.workspaceId, row.id);
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'contact.deleted',
      resourceType: 'contact',
      resourceId: row.id,
      before: { phone: row.phoneE164, name: row.name ?? row.profileName },
      after: { mode },
    });
    return mode;
  });
}

/**
 * An opt-out or opt-in by a member or an API key, with the reason they gave: recorded in the history
 * (source `agent` or `api`), audited, and announced on `contactOptChanged` after commit. Setting the
 * state the contact is already in changes nothing.
 */
export async function changeOptState(
  platform: Pick<Platform, 'db' | 'events'>,
  access: Access,
  contactId: string,
  change: 'opt_out' | 'opt_in',
  reason: string,
) {
  const { principal } = access;
  const result = await changeContact(platform.db, access, contactId, async (tx, row, scope) => {
    const changed = await applyOptChange(tx, access.workspaceId, row, {
      change,
      source: principal.kind === 'api_key' ? 'api' : 'agent',
      at: new Date(),
      actorId: principal.kind === 'api_key' ? principal.apiKeyId : principal.userId,
      actorLabel: principal.kind === 'api_key' ? principal.name : principal.email,
      actor: access.actor,
      detail: reason,
    });
    const fresh = changed ? await repo.findContact(tx, repo.contactVisibility(access, scope), row.id) : row;
    return { changed, detail: await toDetail(tx, scope, fresh ?? row) };
  });
  if (result.ok && result.value.changed) {
    await platform.events.publish(contactOptChanged, { workspaceId: access.workspaceId, contactId, change });
  }
  return result.ok ? ok(result.value.detail) : result;
}

export async function listTags(db: Executor, access: Access) {
  const { visibility } = await visibilityOf(db, access);
  return { items: await repo.tagCounts(db, visibility, 500) };
}

export const CONTACT_CSV_COLUMNS = [
  'id',
  'name',
  'profile_name',
  'phone',
  'email',
  'tags',
  'attributes',
  'opted_out_at',
  'marketing_opted_out_at',
  'last_inbound_at',
  'created_at',
] as const;

/**
 * The matching contacts as CSV, in id order, read `batchSize` rows at a time only as the consumer
 * wants more (stream back-pressure), so any list streams in constant memory.
 */
export async function exportContactsCsv(
  db: Database,
  access: Access,
  filters: ContactFilters,
  options: { batchSize?: number } = {},
): Promise<Readable> {
  const batchSize = options.batchSize ?? 1_000;
  const { visibility } = await visibilityOf(db, access);
  async function* rows() {
    let afterId: string | undefined;
    for (;;) {
      const batch = await repo.contactBatch(db, visibility, filters, { afterId, limit: batchSize });
      for (const row of batch) yield toCsvRecord(row);
      if (batch.length < batchSize) return;
      afterId = batch.at(-1)?.id;
    }
  }
  const source = Readable.from(rows(), { highWaterMark: batchSize });
  const csv = stringify({ header: true, columns: [...CONTACT_CSV_COLUMNS] });
  source.on('error', (error) => csv.destroy(error));
  return source.pipe(csv);
}

function toCsvRecord(row: ContactRow): Record<(typeof CONTACT_CSV_COLUMNS)[number], string> {
  return {
    id: row.id,
    name: csvCell(row.name),
    profile_name: csvCell(row.profileName),
    phone: row.phoneE164 ?? '',
    email: csvCell(row.email),
    tags: csvCell(row.tags.join('; ')),
    attributes: Object.keys(row.attributes).length > 0 ? csvCell(JSON.stringify(row.attributes)) : '',
    opted_out_at: iso(row.optedOutAt) ?? '',
    marketing_opted_out_at: iso(row.marketingOptedOutAt) ?? '',
    last_inbound_at: iso(row.lastInboundAt) ?? '',
    created_at: row.createdAt.toISOString(),
  };
}
