import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Every webhook POST from Meta that passed its signature check, stored before we answer 200 (nothing
 * is lost when Redis or a worker is down). Installation-level: the workspace is only known after
 * routing each item by its phone_number_id.
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: text('id').primaryKey(),
    /** The exact request body as received (Meta's JSON, non-ASCII escaped). */
    body: text('body').notNull(),
    /** SHA-256 of the body: Meta's retries repeat the same bytes, so a repeat is stored once. */
    contentHash: text('content_hash').notNull(),
    /** pending → processed, or failed (retries left, the sweeper will pick it up) → dead (dead-letter list). */
    status: text('status', { enum: ['pending', 'processed', 'failed', 'dead'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('webhook_events_content_hash_key').on(t.contentHash),
    // Partial, by status: the processed majority (kept for replay) stays out of the indexes that claims,
    // the sweeper and the dead-letter list walk in time order. Equality predicates, so the planner
    // takes them for the small sets they are even before the table has statistics.
    index('webhook_events_pending_idx').on(t.receivedAt).where(sql`status = 'pending'`),
    index('webhook_events_failed_idx').on(t.receivedAt).where(sql`status in ('failed', 'dead')`),
    index('webhook_events_received_idx').on(t.receivedAt),
  ],
);

export type WebhookEventRow = typeof webhookEvents.$inferSelect;

/** Webhook items for phone numbers no workspace has connected: recorded for the operator, then skipped. */
export const webhookUnroutedNumbers = pgTable('webhook_unrouted_numbers', {
  phoneNumberId: text('phone_number_id').primaryKey(),
  wabaId: text('waba_id'),
  items: integer('items').notNull().default(0),
  firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
});
