import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const messageStatuses = [
  'received',
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
] as const;
export type MessageStatus = (typeof messageStatuses)[number];

/** Meta's error as a status or a Graph response reported it, plus our readable reason. */
export interface MessageError {
  code: number;
  title?: string;
  message?: string;
  details?: string;
  reason?: string;
  /** A queued message waiting out a backoff: not sent before this time (ISO). */
  retryAt?: string;
}

/** Media attached to a message: Meta's media id and our stored copy. */
export interface MessageMedia {
  metaMediaId?: string;
  mimeType?: string;
  sha256?: string;
  fileName?: string;
  /** Key in the platform's media store once downloaded. */
  storageKey?: string;
  /** pending → stored, or failed (retried; visible on the message). */
  state: 'pending' | 'stored' | 'failed';
  error?: string;
}

/** Every message in or out. Inbound ones are unique by Meta's wamid; outbound ones get it when sent. */
export const messages = pgTable(
  'messages',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    conversationId: text('conversation_id').notNull(),
    channelId: text('channel_id').notNull(),
    contactId: text('contact_id').notNull(),
    direction: text('direction', { enum: ['inbound', 'outbound'] }).notNull(),
    /** Meta's message type: text, image, template, interactive, reaction, button, … or `note` (internal). */
    type: text('type').notNull(),
    /** Meta's message id (wamid.…); null for outbound messages not yet accepted by Meta. */
    wamid: text('wamid'),
    /** The type-specific content, in Meta's shape (`{text:{body}}`, `{image:{…}}`, …). */
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    /** Plain text for lists, previews and search (body, caption, button title …). */
    preview: text('preview'),
    status: text('status', { enum: messageStatuses }).notNull(),
    /** Rank of `status` (sent 1 < delivered 2 < read 3; failed 9): statuses only move up. */
    statusRank: integer('status_rank').notNull().default(0),
    error: jsonb('error').$type<MessageError>(),
    /** Meta's pricing object from the latest status that carried one. */
    pricing: jsonb('pricing').$type<Record<string, unknown>>(),
    media: jsonb('media').$type<MessageMedia>(),
    /** wamid of the message this one replies to or reacts to. */
    contextWamid: text('context_wamid'),
    /** Who sent an outbound message: a user id, an API key id, or a campaign id. */
    senderId: text('sender_id'),
    /** Outbound: tries of the Graph call so far, and when the current one started (crash detection). */
    sendAttempts: integer('send_attempts').notNull().default(0),
    sendStartedAt: timestamp('send_started_at', { withTimezone: true }),
    /** When the message happened: Meta's timestamp for inbound, creation time for outbound. */
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    readAt: timestamp('read_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('messages_wamid_key').on(t.wamid).where(sql`wamid is not null`),
    index('messages_conversation_idx').on(t.workspaceId, t.conversationId, t.occurredAt),
    // Newest first across the workspace: lets search for a common word stop after one page of hits
    // instead of sorting every match (a rare word still goes through the GIN index).
    index('messages_workspace_recent_idx').on(t.workspaceId, t.occurredAt, t.id),
  ],
);

/**
 * Every status Meta reported, kept with its timestamp, pricing and errors — by wamid, because a status
 * can arrive before the send path has stored the wamid on its message (it is applied then).
 */
export const messageStatusEvents = pgTable(
  'message_status_events',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    wamid: text('wamid').notNull(),
    status: text('status').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    pricing: jsonb('pricing').$type<Record<string, unknown>>(),
    conversation: jsonb('conversation').$type<Record<string, unknown>>(),
    errors: jsonb('errors').$type<Record<string, unknown>[]>(),
    recipientId: text('recipient_id'),
    /** Set once the status has been applied to its message. */
    appliedAt: timestamp('applied_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('message_status_events_wamid_status_key').on(t.wamid, t.status),
    index('message_status_events_unapplied_idx').on(t.receivedAt).where(sql`applied_at is null`),
  ],
);

export type MessageRow = typeof messages.$inferSelect;
