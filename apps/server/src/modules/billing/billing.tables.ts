import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * Money is kept in micros (millionths of the currency unit) in 64-bit integers: Meta's prices have up
 * to four decimals (0.0107 USD), sums stay exact, and no float ever touches an amount.
 */
const micros = (name: string) => bigint(name, { mode: 'number' });

/** Pricing categories as Meta names them in the status webhook's `pricing.category`. */
export const pricingCategories = [
  'marketing',
  'utility',
  'authentication',
  'authentication_international',
  'service',
] as const;

/**
 * The rate card: one price per (category, market, currency) for a period. A price change is new rows
 * with a later `effective_from`; the lookup takes the row in force at the event's time.
 */
export const billingRates = pgTable(
  'billing_rates',
  {
    id: text('id').primaryKey(),
    /** The card this row came from (an operator upload id or `default-example`). */
    card: text('card').notNull(),
    category: text('category').notNull(),
    /** Country calling code of the recipient (`91`, `1`, `55`) or `*` for every other market. */
    market: text('market').notNull(),
    currency: text('currency').notNull(),
    priceMicros: micros('price_micros').notNull(),
    effectiveFrom: timestamp('effective_from', { withTimezone: true }).notNull(),
    /** Exclusive end; null while in force. */
    effectiveTo: timestamp('effective_to', { withTimezone: true }),
    /** Illustrative figures shipped with the platform, not a price list anybody agreed to. */
    example: boolean('example').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('billing_rates_lookup_idx').on(t.category, t.currency, t.market, t.effectiveFrom)],
);

/**
 * The usage ledger: append-only, one row per billable event. `key` makes charging idempotent:
 * `pmp:<message id>` under per-message pricing, `cbp:<Meta conversation id>:<category>` under
 * conversation-based pricing, so duplicate or reordered statuses cannot charge twice.
 */
export const usageLedger = pgTable(
  'billing_usage_ledger',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    key: text('key').notNull(),
    /** The message whose status created the entry (the first one of a CBP conversation). */
    messageId: text('message_id').notNull(),
    channelId: text('channel_id').notNull(),
    pricingModel: text('pricing_model', { enum: ['PMP', 'CBP'] }).notNull(),
    category: text('category').notNull(),
    /** Meta's `pricing.type` (regular, free_customer_service, free_entry_point) when given. */
    pricingType: text('pricing_type'),
    market: text('market').notNull(),
    currency: text('currency').notNull(),
    priceMicros: micros('price_micros').notNull(),
    /** The rate card row used; null when no rate matched (priced at zero, visible in usage). */
    rateId: text('rate_id'),
    /** Meta's conversation id (CBP windows). */
    metaConversationId: text('meta_conversation_id'),
    /** When Meta reported the event (the status timestamp): the price is the one in force then. */
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('billing_usage_ledger_key').on(t.workspaceId, t.key),
    index('billing_usage_ledger_time_idx').on(t.workspaceId, t.occurredAt),
  ],
);

/** A workspace's wallet. No row means postpaid with nothing recorded yet. */
export const wallets = pgTable('billing_wallets', {
  workspaceId: text('workspace_id').primaryKey(),
  /** prepaid: sends need `balance - reserved` to cover their estimate; postpaid: usage is billed later. */
  mode: text('mode', { enum: ['prepaid', 'postpaid'] })
    .notNull()
    .default('postpaid'),
  currency: text('currency').notNull(),
  balanceMicros: micros('balance_micros').notNull().default(0),
  /** Estimates held for template messages queued but not yet delivered or failed. */
  reservedMicros: micros('reserved_micros').notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Every change of a wallet's balance or reservations, append-only, with the figures after it. */
export const walletEntries = pgTable(
  'billing_wallet_entries',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    kind: text('kind', { enum: ['top_up', 'adjustment', 'reserve', 'release', 'charge'] }).notNull(),
    /** Signed change of the balance (top-ups positive, charges negative). */
    balanceDeltaMicros: micros('balance_delta_micros').notNull(),
    reservedDeltaMicros: micros('reserved_delta_micros').notNull(),
    balanceAfterMicros: micros('balance_after_micros').notNull(),
    reservedAfterMicros: micros('reserved_after_micros').notNull(),
    messageId: text('message_id'),
    /** The operator's reference (payment id, invoice) or the ledger key of a charge. */
    reference: text('reference'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('billing_wallet_entries_idx').on(t.workspaceId, t.createdAt)],
);

/**
 * One row per template message queued: the estimate held for it, whether it opened a business-initiated
 * contact (the messaging-limit tier counts those), and its outcome — the raw material of the tier check
 * and of template governance.
 */
export const templateSends = pgTable(
  'billing_template_sends',
  {
    messageId: text('message_id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    contactId: text('contact_id').notNull(),
    templateName: text('template_name').notNull(),
    templateLanguage: text('template_language').notNull(),
    /** Template category at send time (MARKETING, UTILITY, AUTHENTICATION). */
    templateCategory: text('template_category').notNull(),
    market: text('market').notNull(),
    currency: text('currency').notNull(),
    estimateMicros: micros('estimate_micros').notNull(),
    /** held: the estimate is reserved in a prepaid wallet; settled / released once Meta reports. */
    hold: text('hold', { enum: ['none', 'held', 'settled', 'released'] }).notNull(),
    /** Sent outside the customer-service window: counts toward the number's messaging limit. */
    businessInitiated: boolean('business_initiated').notNull(),
    outcome: text('outcome', { enum: ['delivered', 'failed'] }),
    errorCode: integer('error_code'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('billing_template_sends_template_idx').on(t.workspaceId, t.channelId, t.templateName, t.createdAt),
    index('billing_template_sends_tier_idx').on(t.channelId, t.createdAt).where(sql`business_initiated`),
    index('billing_template_sends_held_idx').on(t.createdAt).where(sql`hold = 'held'`),
    // The minute-by-minute governance scan and the retention purge read by time across workspaces.
    index('billing_template_sends_created_idx').on(t.createdAt),
  ],
);

/** Per-workspace governance thresholds; a missing row or null column means the defaults. */
export const governanceSettings = pgTable('governance_settings', {
  workspaceId: text('workspace_id').primaryKey(),
  enabled: boolean('enabled'),
  /** Opt-outs per 10,000 sends in the last hour (200 = 2%). */
  optOutRateBasisPoints: integer('opt_out_rate_bp'),
  /** Failures 131026/131049 per 10,000 sends in the last hour. */
  failureRateBasisPoints: integer('failure_rate_bp'),
  /** Sends in the hour before a rate counts. */
  minSample: integer('min_sample'),
  /** Last hour's sends over the hourly average of the 24 h before. */
  volumeJumpFactor: integer('volume_jump_factor'),
  /** Sends in the hour before a jump counts. */
  volumeMinSends: integer('volume_min_sends'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A template on a number that crossed a threshold; marketing sends of it wait for a review. */
export const governanceFlags = pgTable(
  'governance_flags',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    templateName: text('template_name').notNull(),
    reason: text('reason', { enum: ['opt_out_rate', 'failure_rate', 'volume_jump'] }).notNull(),
    /** The figures that crossed the threshold, for the reviewer. */
    metrics: jsonb('metrics').$type<Record<string, number>>().notNull(),
    /** Marketing sends of the template are refused while the flag is open and paused. */
    paused: boolean('paused').notNull(),
    state: text('state', { enum: ['open', 'reviewed'] })
      .notNull()
      .default('open'),
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull().defaultNow(),
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    reviewNote: text('review_note'),
  },
  (t) => [
    uniqueIndex('governance_flags_open_key')
      .on(t.workspaceId, t.channelId, t.templateName, t.reason)
      .where(sql`state = 'open'`),
    index('governance_flags_workspace_idx').on(t.workspaceId, t.raisedAt),
  ],
);

export type RateRow = typeof billingRates.$inferSelect;
export type UsageRow = typeof usageLedger.$inferSelect;
export type WalletRow = typeof wallets.$inferSelect;
export type TemplateSendRow = typeof templateSends.$inferSelect;
export type GovernanceFlagRow = typeof governanceFlags.$inferSelect;
