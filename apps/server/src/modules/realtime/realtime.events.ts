import { z } from 'zod';
import { defineTopic } from '../../platform/events/event-bus.js';

/**
 * The realtime channel's own topics: passing moments, not changes of the inbox, so they travel between
 * server processes on the bus but are neither numbered nor kept for replay.
 */
export const typingTopic = defineTopic(
  'realtime.typing',
  z.object({
    workspaceId: z.string(),
    conversationId: z.string(),
    userId: z.string(),
    userName: z.string(),
  }),
);

export const presenceTopic = defineTopic(
  'realtime.presence',
  z.object({
    workspaceId: z.string(),
    userId: z.string(),
    status: z.enum(['online', 'away', 'offline']),
  }),
);
