import { index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Message templates of a WABA, mirrored from Meta: created here and submitted, or found by the periodic
 * sync. Status, quality and category are kept current by webhooks and by the sync.
 */
export const templates = pgTable(
  'templates',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    /** Our WABA row (wabas.id). */
    wabaId: text('waba_id').notNull(),
    /** Meta's template id (hsm id); null until Meta accepted the submission. */
    externalId: text('external_id'),
    name: text('name').notNull(),
    /** Locale code, e.g. en_US, hi. */
    language: text('language').notNull(),
    category: text('category').notNull(),
    /** PENDING, APPROVED, REJECTED, PAUSED, DISABLED, IN_APPEAL, DELETED, ARCHIVED … as Meta reports. */
    status: text('status').notNull(),
    /** Meta's reason for REJECTED / PAUSED / DISABLED. */
    statusReason: text('status_reason'),
    /**
     * When Meta's status was true: the `entry.time` of the webhook that set it, or the moment a sync
     * asked Meta. A webhook older than this is stale (webhooks can arrive out of order) and is skipped.
     */
    statusAt: timestamp('status_at', { withTimezone: true }),
    /** GREEN / YELLOW / RED / UNKNOWN from message_template_quality_update. */
    qualityScore: text('quality_score'),
    /** As statusAt, for the quality score and the category: when Meta's value was true. */
    qualityAt: timestamp('quality_at', { withTimezone: true }),
    categoryAt: timestamp('category_at', { withTimezone: true }),
    parameterFormat: text('parameter_format', { enum: ['positional', 'named'] })
      .notNull()
      .default('positional'),
    /** The components as submitted to / returned by Meta (HEADER, BODY, FOOTER, BUTTONS). */
    components: jsonb('components').$type<Record<string, unknown>[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    lastSyncedAt: timestamp('last_synced_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('templates_waba_name_language_key').on(t.wabaId, t.name, t.language),
    uniqueIndex('templates_external_key').on(t.externalId),
    index('templates_workspace_status_idx').on(t.workspaceId, t.status),
  ],
);

export type TemplateRow = typeof templates.$inferSelect;
