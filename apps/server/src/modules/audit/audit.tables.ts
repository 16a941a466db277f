import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export type AuditActorType = 'user' | 'api_key' | 'system' | 'anonymous';

/**
 * The audit trail. Append-only: rows are written in the same transaction as the change they record,
 * never updated, and deleted only by the retention job. Ids sort by time, so `id` is the paging key.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    /** Null for account events that belong to no workspace (log-in, password change). */
    workspaceId: text('workspace_id'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    actorType: text('actor_type').$type<AuditActorType>().notNull(),
    /** A user id or an API key id; null for anonymous and system actors. */
    actorId: text('actor_id'),
    /** Email or key name at the time, so the row stays readable after the actor is gone. */
    actorLabel: text('actor_label'),
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id'),
    /** Summaries of the resource before and after the change, with secrets stripped. */
    before: jsonb('before').$type<Record<string, unknown>>(),
    after: jsonb('after').$type<Record<string, unknown>>(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
  },
  (t) => [
    index('audit_log_workspace_id_idx').on(t.workspaceId, t.id),
    index('audit_log_workspace_time_idx').on(t.workspaceId, t.occurredAt),
    index('audit_log_actor_idx').on(t.actorId),
    // A user's security log: account rows (no workspace) about them, newest first.
    index('audit_log_account_subject_idx').on(t.resourceId, t.id).where(sql`${t.workspaceId} is null`),
  ],
);
