import { z } from 'zod';
import { defineTopic } from '../../platform/events/event-bus.js';

/** Domain events of messaging, for the inbox's realtime channel, automations and outbound webhooks. */
export const messageReceived = defineTopic(
  'message.received',
  z.object({
    workspaceId: z.string(),
    conversationId: z.string(),
    messageId: z.string(),
    contactId: z.string(),
  }),
);

/** An outbound message was stored `queued` (raised by the send path after the row commits). */
export const messageQueued = defineTopic(
  'message.queued',
  z.object({
    workspaceId: z.string(),
    conversationId: z.string(),
    messageId: z.string(),
    contactId: z.string(),
  }),
);

export const messageStatusChanged = defineTopic(
  'message.status_changed',
  z.object({
    workspaceId: z.string(),
    conversationId: z.string(),
    messageId: z.string(),
    status: z.enum(['sent', 'delivered', 'read', 'failed']),
  }),
);

export const contactOptChanged = defineTopic(
  'contact.opt_changed',
  z.object({
    workspaceId: z.string(),
    contactId: z.string(),
    change: z.enum(['opt_out', 'opt_in', 'marketing_opt_out', 'marketing_opt_in']),
  }),
);
