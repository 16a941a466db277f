import { z } from 'zod';
import type { Platform } from '../../platform/context.js';
import { defineTopic } from '../../platform/events/event-bus.js';

export const conversationChanges = ['created', 'assigned', 'status', 'snoozed', 'labels', 'read'] as const;
export type ConversationChange = (typeof conversationChanges)[number];

/** Inbox events, for the realtime channel and later automations. Raised after the change is committed. */
export const conversationChanged = defineTopic(
  'conversation.changed',
  z.object({
    workspaceId: z.string(),
    conversationId: z.string(),
    change: z.enum(conversationChanges),
    /** The assignee after the change, so subscribers can filter by visibility without a query. */
    assigneeId: z.string().nullable(),
    /** The user who made the change; null for the system (webhooks, auto-assignment, snooze expiry). */
    actorUserId: z.string().nullable(),
  }),
);

export const noteAdded = defineTopic(
  'conversation.note_added',
  z.object({
    workspaceId: z.string(),
    conversationId: z.string(),
    noteId: z.string(),
    authorId: z.string(),
    mentionedUserIds: z.array(z.string()),
  }),
);

/**
 * Publishes once the change is committed. Events are best effort (clients re-read PostgreSQL), so a
 * failed publish is logged and never turns a committed change into an error.
 */
export async function publishAfterCommit(platform: Platform, publish: () => Promise<void>): Promise<void> {
  try {
    await publish();
  } catch (error) {
    platform.logger.warn({ err: error }, 'inbox event not published');
  }
}
