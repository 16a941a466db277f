import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const conversationStatuses = ['open', 'pending', 'resolved', 'snoozed'] as const;
export type ConversationStatus = (typeof conversationStatuses)[number];

/**
 * The thread between one channel (business number) and one contact. One row per pair, reopened when
 * the customer writes again, as in Chatwoot.
 */
export const conversations = pgTable(
  'conversations',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    contactId: text('contact_id').notNull(),
    status: text('status', { enum: conversationStatuses }).notNull().default('open'),
    /** The member (user id) it is assigned to; agents see only their own (and unassigned, if allowed). */
    assigneeId: text('assignee_id'),
    /** The customer's last message: the 24-hour customer-service window runs from here. */
    lastInboundAt: timestamp('last_inbound_at', { withTimezone: true }),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }),
    /** Inbound messages since an agent last marked the conversation read. */
    unreadCount: integer('unread_count').notNull().default(0),
    snoozedUntil: timestamp('snoozed_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('conversations_channel_contact_key').on(t.channelId, t.contactId),
    index('conversations_workspace_activity_idx').on(t.workspaceId, t.lastMessageAt),
    index('conversations_workspace_assignee_idx').on(t.workspaceId, t.assigneeId, t.status),
  ],
);

export type ConversationRow = typeof conversations.$inferSelect;

/** Per-workspace inbox settings; a missing row means the defaults. */
export const inboxSettings = pgTable('inbox_settings', {
  workspaceId: text('workspace_id').primaryKey(),
  /** Agents (who read only their assigned conversations) also see unassigned ones, to pick them up. */
  agentsSeeUnassigned: boolean('agents_see_unassigned').notNull().default(false),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type InboxSettingsRow = typeof inboxSettings.$inferSelect;
