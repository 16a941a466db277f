import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Database, Executor } from '../../platform/db/client.js';
import type { Actor } from '../../platform/http/auth.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import {
  type AuditFilters,
  type AuditRow,
  deleteAuditBatch,
  insertAuditRow,
  listAccountEventsNewestFirst,
  listAuditNewestFirst,
  listAuditOldestFirst,
  type NewAuditRow,
} from './audit.repository.js';
import type { AuditActorType } from './audit.tables.js';

export type { AuditFilters, AuditRow };

export interface AuditEntry {
  /** Null for account events (log-in, password change) that belong to no workspace. */
  workspaceId: string | null;
  /** `<resource>.<verb>` in past tense, e.g. `member.role_changed`. */
  action: string;
  resourceType: string;
  resourceId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** Overrides the label derived from the actor, e.g. the email tried in a failed log-in. */
  actorLabel?: string;
}

/**
 * Writes one audit row. Pass the transaction of the change it records, so both commit or neither does.
 */
export async function recordAudit(tx: Executor, actor: Actor, entry: AuditEntry): Promise<void> {
  await insertAuditRow(tx, auditRowOf(actor, entry));
}

/** The row recordAudit writes, for a caller that inserts it in the same statement as its change. */
export function auditRowOf(actor: Actor, entry: AuditEntry): NewAuditRow {
  const now = Date.now();
  const who = describeActor(actor);
  return {
    id: newId('audit', now),
    workspaceId: entry.workspaceId,
    occurredAt: new Date(now),
    actorType: who.type,
    actorId: who.id,
    actorLabel: entry.actorLabel ?? who.label,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId ?? null,
    before: entry.before ? stripSecrets(entry.before) : null,
    after: entry.after ? stripSecrets(entry.after) : null,
    ip: actor.ip,
    userAgent: actor.userAgent,
    requestId: actor.requestId,
  };
}

function describeActor(actor: Actor): { type: AuditActorType; id: string | null; label: string | null } {
  const p = actor.principal;
  if (p?.kind === 'user') return { type: 'user', id: p.userId, label: p.email };
  if (p?.kind === 'api_key') return { type: 'api_key', id: p.apiKeyId, label: p.name };
  if (actor.system) return { type: 'system', id: null, label: actor.system };
  return { type: 'anonymous', id: null, label: null };
}

const SECRET_FIELD = /pass(word)?|secret|token|hash|api_?key|^key$|cookie|session/i;

/** Drops any field whose name suggests a secret, at any depth: summaries describe, they never carry credentials. */
export function stripSecrets(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, inner] of Object.entries(value)) {
    if (SECRET_FIELD.test(field)) continue;
    out[field] =
      inner && typeof inner === 'object' && !Array.isArray(inner) && !(inner instanceof Date)
        ? stripSecrets(inner as Record<string, unknown>)
        : inner;
  }
  return out;
}

const CURSOR = /^aud_[0-9a-z]{26}$/;

type AuditPage = { items: AuditRow[]; nextCursor: string | null };

/** Reads one more row than asked, so the page knows whether another follows without a count. */
async function readPage(
  page: { cursor?: string; limit: number },
  read: (beforeId: string | undefined, limit: number) => Promise<AuditRow[]>,
): Promise<AuditPage> {
  if (page.cursor !== undefined && !CURSOR.test(page.cursor)) {
    throw new AppError('bad_request', 'The cursor is not valid');
  }
  const rows = await read(page.cursor, page.limit + 1);
  const items = rows.slice(0, page.limit);
  return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
}

export function listAudit(
  db: Database,
  workspaceId: string,
  filters: AuditFilters,
  page: { cursor?: string; limit: number },
): Promise<AuditPage> {
  return readPage(page, (beforeId, limit) =>
    listAuditNewestFirst(db, workspaceId, filters, { beforeId, limit }),
  );
}

/**
 * One user's security log: their account events (log-ins, failed and throttled log-ins against their
 * address, password changes and resets, sessions ended), newest first. Never another user's rows.
 */
export function listAccountEvents(
  db: Database,
  userId: string,
  page: { cursor?: string; limit: number },
): Promise<AuditPage> {
  return readPage(page, (beforeId, limit) => listAccountEventsNewestFirst(db, userId, { beforeId, limit }));
}

export const AUDIT_CSV_COLUMNS = [
  'id',
  'occurred_at',
  'actor_type',
  'actor_id',
  'actor_label',
  'action',
  'resource_type',
  'resource_id',
  'before',
  'after',
  'ip',
  'user_agent',
  'request_id',
] as const;

/**
 * The matching rows as CSV, oldest first. Rows are read `batchSize` at a time, and only when the
 * consumer wants more (stream back-pressure), so any range streams in constant memory.
 */
export function exportAuditCsv(
  db: Database,
  workspaceId: string,
  filters: AuditFilters,
  options: { batchSize?: number; onBatch?: (rows: number) => void } = {},
): Readable {
  const batchSize = options.batchSize ?? 1_000;
  async function* rows() {
    let afterId: string | undefined;
    for (;;) {
      const batch = await listAuditOldestFirst(db, workspaceId, filters, { afterId, limit: batchSize });
      options.onBatch?.(batch.length);
      for (const row of batch) yield toCsvRecord(row);
      if (batch.length < batchSize) return;
      afterId = batch.at(-1)?.id;
    }
  }
  const source = Readable.from(rows(), { highWaterMark: batchSize });
  const csv = stringify({ header: true, columns: [...AUDIT_CSV_COLUMNS] });
  source.on('error', (error) => csv.destroy(error));
  return source.pipe(csv);
}

/** Spreadsheets run cells that start with = + - @ as formulas; labels and user agents come from callers. */
export function csvCell(value: string | null): string {
  if (!value) return '';
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function toCsvRecord(row: AuditRow): Record<(typeof AUDIT_CSV_COLUMNS)[number], string> {
  return {
    id: row.id,
    occurred_at: row.occurredAt.toISOString(),
    actor_type: row.actorType,
    actor_id: row.actorId ?? '',
    actor_label: csvCell(row.actorLabel),
    action: row.action,
    resource_type: row.resourceType,
    resource_id: row.resourceId ?? '',
    before: row.before ? JSON.stringify(row.before) : '',
    after: row.after ? JSON.stringify(row.after) : '',
    ip: csvCell(row.ip),
    user_agent: csvCell(row.userAgent),
    request_id: row.requestId ?? '',
  };
}

/** Removes rows older than `retentionDays` for one workspace (null: account events); returns the count. */
export async function purgeAudit(
  db: Database,
  workspaceId: string | null,
  retentionDays: number,
  now: Date = new Date(),
): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  let total = 0;
  for (;;) {
    const deleted = await deleteAuditBatch(db, workspaceId, cutoff, 5_000);
    total += deleted;
    if (deleted < 5_000) return total;
  }
}
