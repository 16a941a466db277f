import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** A WhatsApp Business Account connected to a workspace; its business token lives sealed in the vault. */
export const wabas = pgTable(
  'wabas',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    /** Meta's WABA id. */
    externalId: text('external_id').notNull(),
    businessId: text('business_id'),
    name: text('name'),
    /** Vault id of the access token (business or system-user token). */
    tokenSecretId: text('token_secret_id'),
    status: text('status', { enum: ['active', 'needs_reauth', 'disconnected'] })
      .notNull()
      .default('active'),
    subscribedAt: timestamp('subscribed_at', { withTimezone: true }),
    lastSyncedAt: timestamp('last_synced_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('wabas_workspace_idx').on(t.workspaceId),
    // A WABA is connected to one workspace at a time; a disconnected row does not block reconnecting.
    uniqueIndex('wabas_external_active_key').on(t.externalId).where(sql`status <> 'disconnected'`),
  ],
);

export const channelStatuses = [
  'pending',
  'pending_register',
  'connected',
  'failed',
  'needs_reauth',
  'disconnected',
] as const;
export type ChannelStatus = (typeof channelStatuses)[number];

/** A business phone number (Meta's phone_number_id): the channel messages come in and go out on. */
export const channels = pgTable(
  'channels',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    wabaId: text('waba_id')
      .notNull()
      .references(() => wabas.id),
    /** Meta's phone_number_id: webhooks are routed by it. */
    phoneNumberId: text('phone_number_id').notNull(),
    displayPhoneNumber: text('display_phone_number'),
    verifiedName: text('verified_name'),
    status: text('status', { enum: channelStatuses }).notNull().default('pending'),
    qualityRating: text('quality_rating'),
    /** TIER_250 … TIER_UNLIMITED: unique users reachable outside the window per 24 h. */
    messagingLimitTier: text('messaging_limit_tier'),
    /** Meta's throughput level (STANDARD 80/s, HIGH up to 1,000/s). */
    throughputLevel: text('throughput_level'),
    /** Vault id of the two-step verification PIN used to register the number. */
    pinSecretId: text('pin_secret_id'),
    /** Last Graph error of onboarding or sync: {code, message, step}. */
    lastError: jsonb('last_error').$type<{ code?: number; message: string; step?: string }>(),
    registeredAt: timestamp('registered_at', { withTimezone: true }),
    lastSyncedAt: timestamp('last_synced_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('channels_workspace_idx').on(t.workspaceId),
    // A number belongs to exactly one workspace while connected.
    uniqueIndex('channels_phone_number_active_key').on(t.phoneNumberId).where(sql`status <> 'disconnected'`),
  ],
);

export type ChannelRow = typeof channels.$inferSelect;
export type WabaRow = typeof wabas.$inferSelect;
