import type { EventBus, Topic, Unsubscribe } from '../../platform/events/event-bus.js';
import { conversationChanged, noteAdded } from '../conversations/conversations.events.js';
import {
  contactOptChanged,
  messageQueued,
  messageReceived,
  messageStatusChanged,
} from '../messages/messages.events.js';
import { presenceTopic, typingTopic } from './realtime.events.js';
import type { StreamEvent } from './realtime.schemas.js';

/**
 * The bus topics the stream relays, and the event each becomes. `kept` events are numbered and kept
 * for replay, under an identity (the topic and payload) that every server process computes alike; the
 * others (typing, presence) matter only to whoever is connected at that moment.
 */
export interface Source {
  attach(bus: EventBus, onEvent: (event: StreamEvent, identity: string | null) => void): Promise<Unsubscribe>;
}

function source<T>(topic: Topic<T>, kept: boolean, toEvent: (event: T) => StreamEvent): Source {
  return {
    attach: (bus, onEvent) =>
      bus.subscribe(topic, (event) =>
        onEvent(toEvent(event), kept ? `${topic.name}:${JSON.stringify(event)}` : null),
      ),
  };
}

export const sources: readonly Source[] = [
  source(messageReceived, true, (e) => ({
    workspaceId: e.workspaceId,
    type: 'message.created',
    conversationId: e.conversationId,
    data: { conversationId: e.conversationId, messageId: e.messageId, direction: 'inbound' },
  })),
  source(messageQueued, true, (e) => ({
    workspaceId: e.workspaceId,
    type: 'message.created',
    conversationId: e.conversationId,
    data: { conversationId: e.conversationId, messageId: e.messageId, direction: 'outbound' },
  })),
  source(messageStatusChanged, true, (e) => ({
    workspaceId: e.workspaceId,
    type: 'message.status',
    conversationId: e.conversationId,
    data: { conversationId: e.conversationId, messageId: e.messageId, status: e.status },
  })),
  source(conversationChanged, true, (e) => ({
    workspaceId: e.workspaceId,
    type: 'conversation.updated',
    conversationId: e.conversationId,
    assigneeId: e.assigneeId,
    data: { conversationId: e.conversationId, change: e.change, assigneeId: e.assigneeId },
  })),
  source(noteAdded, true, (e) => ({
    workspaceId: e.workspaceId,
    type: 'note.created',
    conversationId: e.conversationId,
    data: {
      conversationId: e.conversationId,
      noteId: e.noteId,
      authorId: e.authorId,
      mentionedUserIds: e.mentionedUserIds,
    },
  })),
  // A contact's opt-out state: every member connected hears of it, then reads the contact (or not)
  // through the REST API, which applies the contact visibility rules.
  source(contactOptChanged, true, (e) => ({
    workspaceId: e.workspaceId,
    type: 'contact.updated',
    data: { contactId: e.contactId, change: e.change },
  })),
  source(typingTopic, false, (e) => ({
    workspaceId: e.workspaceId,
    type: 'typing',
    conversationId: e.conversationId,
    exceptUserId: e.userId,
    data: { conversationId: e.conversationId, userId: e.userId, userName: e.userName },
  })),
  source(presenceTopic, false, (e) => ({
    workspaceId: e.workspaceId,
    type: 'presence',
    data: { userId: e.userId, status: e.status },
  })),
];
