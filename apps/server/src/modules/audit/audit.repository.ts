import { and, asc, desc, eq, gt, gte, inArray, isNull, like, lt, lte, or, type SQL } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { auditLog } from './audit.tables.js';

export type AuditRow = typeof auditLog.$inferSelect;
export type NewAuditRow = typeof auditLog.$inferInsert;

export interface AuditFilters {
  actorId?: string;
  /** Exact action, or a prefix ending in `*` (e.g. `member.*`). */
  action?: string;
  resourceType?: string;
  resourceId?: string;
  from?: Date;
  to?: Date;
}

export async function insertAuditRow(db: Executor, row: NewAuditRow): Promise<void> {
  await db.insert(auditLog).values(row);
}

function filterWhere(workspaceId: string, filters: AuditFilters): SQL[] {
  const where: SQL[] = [eq(auditLog.workspaceId, workspaceId)];
  if (filters.actorId) where.push(eq(auditLog.actorId, filters.actorId));
  if (filters.action) {
    where.push(
      filters.action.endsWith('*')
        ? like(auditLog.action, `${filters.action.slice(0, -1).replace(/[\\%_]/g, '\\$&')}%`)
        : eq(auditLog.action, filters.action),
    );
  }
  if (filters.resourceType) where.push(eq(auditLog.resourceType, filters.resourceType));
  if (filters.resourceId) where.push(eq(auditLog.resourceId, filters.resourceId));
  if (filters.from) where.push(gte(auditLog.occurredAt, filters.from));
  if (filters.to) where.push(lte(auditLog.occurredAt, filters.to));
  return where;
}

/** Newest first, keyset-paged on the time-ordered id: rows older than `beforeId`. */
export async function listAuditNewestFirst(
  db: Executor,
  workspaceId: string,
  filters: AuditFilters,
  page: { beforeId: string | undefined; limit: number },
): Promise<AuditRow[]> {
  return newestFirst(db, filterWhere(workspaceId, filters), page);
}

/**
 * A user's account events (rows of no workspace) newest first: those they did themselves, and those done
 * to their account by someone else (a failed or throttled log-in, a reset requested or spent).
 */
export async function listAccountEventsNewestFirst(
  db: Executor,
  userId: string,
  page: { beforeId: string | undefined; limit: number },
): Promise<AuditRow[]> {
  const where: SQL[] = [
    isNull(auditLog.workspaceId),
    or(
      eq(auditLog.actorId, userId),
      and(eq(auditLog.resourceType, 'user'), eq(auditLog.resourceId, userId)),
    ) as SQL,
  ];
  return newestFirst(db, where, page);
}

/** One page of rows matching `where`, newest first, before the cursor id. */
function newestFirst(
  db: Executor,
  where: SQL[],
  page: { beforeId: string | undefined; limit: number },
): Promise<AuditRow[]> {
  const conditions = page.beforeId ? [...where, lt(auditLog.id, page.beforeId)] : where;
  return db
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(page.limit);
}

/** Oldest first from `afterId`: the export reads the range in batches of this. */
export async function listAuditOldestFirst(
  db: Executor,
  workspaceId: string,
  filters: AuditFilters,
  page: { afterId: string | undefined; limit: number },
): Promise<AuditRow[]> {
  const where = filterWhere(workspaceId, filters);
  if (page.afterId) where.push(gt(auditLog.id, page.afterId));
  return db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(asc(auditLog.id))
    .limit(page.limit);
}

/**
 * Deletes up to `limit` rows of one workspace (or of no workspace, for account events) older than
 * `cutoff`; returns how many. Callers loop, so one purge never holds a huge delete in one statement.
 */
export async function deleteAuditBatch(
  db: Executor,
  workspaceId: string | null,
  cutoff: Date,
  limit: number,
): Promise<number> {
  const scope = workspaceId === null ? isNull(auditLog.workspaceId) : eq(auditLog.workspaceId, workspaceId);
  const doomed = db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(and(scope, lt(auditLog.occurredAt, cutoff)))
    .limit(limit);
  const deleted = await db
    .delete(auditLog)
    .where(inArray(auditLog.id, doomed))
    .returning({ id: auditLog.id });
  return deleted.length;
}
