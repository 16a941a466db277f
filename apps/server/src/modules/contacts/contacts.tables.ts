import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const optOutSources = ['keyword', 'button', 'user_preferences', 'agent', 'api', 'import'] as const;
export type OptOutSource = (typeof optOutSources)[number];

/** A customer of a workspace, known by WhatsApp id (phone digits) and/or business-scoped user id. */
export const contacts = pgTable(
  'contacts',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    /** Meta's wa_id: the phone number's digits without '+'. Null when only a BSUID is known. */
    waId: text('wa_id'),
    /** 2026 business-scoped user id (e.g. `US.1349…`), for users who hide their number. */
    userId: text('user_id'),
    /** E.164 with '+', normalised by libphonenumber-js. */
    phoneE164: text('phone_e164'),
    /** The WhatsApp profile name, as the last webhook reported it. */
    profileName: text('profile_name'),
    /** A name the team chose; shown instead of the profile name when set. */
    name: text('name'),
    /** An email the team keeps for the contact; WhatsApp never reports one. */
    email: text('email'),
    attributes: jsonb('attributes').$type<Record<string, string>>().notNull().default({}),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    /** Opted out of everything (STOP). */
    optedOutAt: timestamp('opted_out_at', { withTimezone: true }),
    /** Opted out of marketing only (WhatsApp's own "stop promotions" → user_preferences). */
    marketingOptedOutAt: timestamp('marketing_opted_out_at', { withTimezone: true }),
    lastInboundAt: timestamp('last_inbound_at', { withTimezone: true }),
    /** Consecutive sends that failed as undeliverable (131026); reset by a delivered message. */
    undeliverableCount: integer('undeliverable_count').notNull().default(0),
    /** Bulk sends skip the contact until then (per-contact backoff). */
    heldUntil: timestamp('held_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Deleted by the team while messages still refer to it: hidden from contact lists, kept (with its
     * opt-out state) so the inbox history stays whole. A new message from the customer brings it back.
     */
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('contacts_workspace_wa_id_key').on(t.workspaceId, t.waId).where(sql`wa_id is not null`),
    uniqueIndex('contacts_workspace_user_id_key').on(t.workspaceId, t.userId).where(sql`user_id is not null`),
    // Prefix search of the contacts list (`lower(x) like 'abc%'`) and its tag filter.
    index('contacts_workspace_name_prefix_idx').on(
      t.workspaceId,
      sql`lower(coalesce(${t.name}, ${t.profileName})) text_pattern_ops`,
    ),
    index('contacts_workspace_phone_prefix_idx').on(t.workspaceId, t.phoneE164.op('text_pattern_ops')),
    index('contacts_workspace_email_prefix_idx').on(t.workspaceId, sql`lower(${t.email}) text_pattern_ops`),
    index('contacts_tags_idx').using('gin', t.tags),
  ],
);

/** Every opt-out and opt-in, append-only: when, how, and what caused it. */
export const contactOptEvents = pgTable(
  'contact_opt_events',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    contactId: text('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    /** opt_out | opt_in | marketing_opt_out | marketing_opt_in */
    change: text('change', {
      enum: ['opt_out', 'opt_in', 'marketing_opt_out', 'marketing_opt_in'],
    }).notNull(),
    source: text('source', { enum: optOutSources }).notNull(),
    /** The inbound message (our id) that carried the keyword or button, when there was one. */
    messageId: text('message_id'),
    /** The member or API key that made the change, for agent/API changes. */
    actorId: text('actor_id'),
    /** The actor's email or key name at the time, so the history reads well after they are gone. */
    actorLabel: text('actor_label'),
    /** Keyword or payload matched, or the reason an agent gave, for the contact's history. */
    detail: text('detail'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('contact_opt_events_contact_idx').on(t.workspaceId, t.contactId, t.occurredAt)],
);

export type ContactRow = typeof contacts.$inferSelect;

/** Per-workspace opt-out keywords and confirmation texts; a missing row or null column means the defaults. */
export const optOutSettings = pgTable('opt_out_settings', {
  workspaceId: text('workspace_id').primaryKey(),
  /** Keywords on top of the built-in ones (opt-out.ts), which always apply: every STOP is honoured. */
  stopKeywords: text('stop_keywords').array(),
  startKeywords: text('start_keywords').array(),
  stopReply: text('stop_reply'),
  startReply: text('start_reply'),
  /** Send the confirmation replies (inside the window, free-form is allowed). */
  sendConfirmation: boolean('send_confirmation').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
