import { z } from 'zod';

export const workspaceParams = z.object({ workspaceId: z.string().min(1).max(64) });

export const streamQuery = z.object({
  /** For clients that cannot send the Last-Event-ID header; the header wins when both are present. */
  lastEventId: z.string().max(100).optional(),
});

export const typingBody = z.object({ conversationId: z.string().min(1).max(64) });

export const presenceBody = z.object({ status: z.enum(['online', 'away']) });

export const presenceReply = z.object({
  users: z.array(z.object({ userId: z.string(), status: z.enum(['online', 'away']) })),
});

/** Every event the stream carries (see docs/decisions/0002-realtime.md and the realtime contract). */
export type StreamEventType =
  | 'message.created'
  | 'message.status'
  | 'conversation.updated'
  | 'note.created'
  | 'contact.updated'
  | 'typing'
  | 'presence';

export interface StreamEvent {
  workspaceId: string;
  type: StreamEventType;
  /** The frame's data, exactly as clients receive it. */
  data: Record<string, unknown>;
  /** Set when the event is about one conversation: only members who may read it receive the event. */
  conversationId?: string;
  /** The conversation's assignee after the change, when the source says so (otherwise looked up). */
  assigneeId?: string | null;
  /** A member who does not need the event (the one typing). */
  exceptUserId?: string;
}
