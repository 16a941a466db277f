import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

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
    // The list's default sort, exactly as the query writes it: newest activity first, id to break ties.
    index('conversations_workspace_activity_idx').on(
      t.workspaceId,
      sql`coalesce(${t.lastMessageAt}, ${t.createdAt})`,
      t.id,
    ),
    // The snooze sweeper's scan: only snoozed rows are in it.
    index('conversations_snoozed_until_idx').on(t.snoozedUntil).where(sql`status = 'snoozed'`),
    index('conversations_workspace_assignee_idx').on(t.workspaceId, t.assigneeId, t.status),
  ],
);

export type ConversationRow = typeof conversations.$inferSelect;

/** Per-workspace inbox settings; a missing row means the defaults. */
export const inboxSettings = pgTable('inbox_settings', {
  workspaceId: text('workspace_id').primaryKey(),
  /** Agents (who read only their assigned conversations) also see unassigned ones, to pick them up. */
  agentsSeeUnassigned: boolean('agents_see_unassigned').notNull().default(false),
  /** New inbound conversations go round-robin to online members who take auto-assignment. */
  autoAssign: boolean('auto_assign').notNull().default(false),
  /** Members with this many open conversations are skipped by auto-assignment; null for no cap. */
  maxOpenPerAgent: integer('max_open_per_agent'),
  /** The member auto-assignment picked last: the round-robin continues after them. */
  lastAutoAssigneeId: text('last_auto_assignee_id'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type InboxSettingsRow = typeof inboxSettings.$inferSelect;

/** A member's own auto-assignment terms; a missing row means "included, workspace cap". */
export const inboxAgentSettings = pgTable(
  'inbox_agent_settings',
  {
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    autoAssign: boolean('auto_assign').notNull().default(true),
    /** Overrides the workspace's maxOpenPerAgent for this member when set. */
    maxOpen: integer('max_open'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
);

export const labels = pgTable(
  'labels',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    name: text('name').notNull(),
    /** A CSS colour, `#rrggbb`. */
    color: text('color').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('labels_workspace_name_key').on(t.workspaceId, sql`lower(${t.name})`)],
);

export type LabelRow = typeof labels.$inferSelect;

export const conversationLabels = pgTable(
  'conversation_labels',
  {
    workspaceId: text('workspace_id').notNull(),
    conversationId: text('conversation_id').notNull(),
    labelId: text('label_id')
      .notNull()
      .references(() => labels.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.labelId] }),
    // The list's `label` filter: conversations carrying one label.
    index('conversation_labels_label_idx').on(t.workspaceId, t.labelId, t.conversationId),
  ],
);

/** Internal notes: seen by the team only, never sent to WhatsApp. */
export const conversationNotes = pgTable(
  'conversation_notes',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    conversationId: text('conversation_id').notNull(),
    /** A user id, or an API key id for notes written through the API. */
    authorId: text('author_id').notNull(),
    /** The author's name when written (an API key has no user row to read it from later). */
    authorName: text('author_name').notNull(),
    body: text('body').notNull(),
    /** User ids of the members @mentioned in the body. */
    mentions: text('mentions').array().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('conversation_notes_conversation_idx').on(t.workspaceId, t.conversationId, t.createdAt)],
);

export type NoteRow = typeof conversationNotes.$inferSelect;

/** Canned responses, found by `/shortcut` in the composer. */
export const quickReplies = pgTable(
  'quick_replies',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    /** Lower case, without the slash. */
    shortcut: text('shortcut').notNull(),
    /** Text with variables such as `{{contact.name}}`, filled in when rendered. */
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('quick_replies_workspace_shortcut_key').on(t.workspaceId, t.shortcut)],
);

export type QuickReplyRow = typeof quickReplies.$inferSelect;

export const historyKinds = ['status', 'assigned', 'snoozed', 'labels'] as const;
export type HistoryKind = (typeof historyKinds)[number];

/** What happened to a conversation and who did it: status, assignment, snooze and label changes. */
export const conversationHistory = pgTable(
  'conversation_history',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    conversationId: text('conversation_id').notNull(),
    kind: text('kind', { enum: historyKinds }).notNull(),
    /** The value before and after, as text: a status, a user id, an ISO time, label names joined by ", ". */
    from: text('from'),
    to: text('to'),
    /** A user or API key id; null for the system (auto-assignment, snooze expiry). */
    actorId: text('actor_id'),
    actorName: text('actor_name'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('conversation_history_conversation_idx').on(t.workspaceId, t.conversationId, t.at)],
);

export type HistoryRow = typeof conversationHistory.$inferSelect;
