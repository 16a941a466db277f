import type { z } from 'zod';
import type { MessageRow } from '../messages/messages.tables.js';
import type {
  ConversationDetailRow,
  ConversationSummaryRow,
  latestMessages,
} from './conversations.repository.js';
import type {
  ComposerMode,
  conversationDetail,
  conversationSummary,
  threadMessage,
} from './conversations.schemas.js';
import { customerServiceWindow, type WindowState } from './window.js';

type Summary = z.infer<typeof conversationSummary>;
type Detail = z.infer<typeof conversationDetail>;
type ThreadMessage = z.infer<typeof threadMessage>;
type LatestMessage = Awaited<ReturnType<typeof latestMessages>>[number];

const iso = (value: Date | null) => (value ? value.toISOString() : null);

function windowView(state: WindowState): Summary['window'] {
  return state.open
    ? { open: true, closesAt: state.closesAt.toISOString() }
    : { open: false, closedAt: iso(state.closedAt) };
}

/** What the reply box may offer: the 24-hour rule, and nothing at all for a contact who opted out. */
export function composerFor(state: WindowState, contact: { optedOutAt: Date | null }): ComposerMode {
  if (contact.optedOutAt) return 'blocked';
  return state.open ? 'free_form' : 'templates_only';
}

function assigneeView(assigneeId: string | null, name: string | null, email: string | null) {
  return assigneeId ? { userId: assigneeId, name, email } : null;
}

export function toSummary(
  row: ConversationSummaryRow,
  last: LatestMessage | undefined,
  labels: Summary['labels'],
  now: Date,
): Summary {
  const c = row.conversation;
  return {
    id: c.id,
    channelId: c.channelId,
    status: c.status,
    snoozedUntil: iso(c.snoozedUntil),
    unreadCount: c.unreadCount,
    lastMessageAt: iso(c.lastMessageAt),
    lastInboundAt: iso(c.lastInboundAt),
    contact: {
      id: c.contactId,
      name: row.contactName,
      phone: row.contactPhone,
      optedOut: row.contactOptedOutAt !== null,
    },
    assignee: assigneeView(c.assigneeId, row.assigneeName, row.assigneeEmail),
    lastMessage: last
      ? {
          id: last.id,
          direction: last.direction,
          type: last.type,
          preview: last.preview,
          status: last.status,
          occurredAt: last.occurredAt.toISOString(),
        }
      : null,
    window: windowView(customerServiceWindow(c.lastInboundAt, now)),
    labels,
  };
}

/** The conversation itself; labels, history and response times are added by the service. */
type DetailCore = Omit<
  Detail,
  'labels' | 'history' | 'firstResponseAt' | 'firstResponseSeconds' | 'resolvedAt' | 'resolutionSeconds'
>;

export function toDetail(row: ConversationDetailRow, now: Date): DetailCore {
  const { conversation: c, contact } = row;
  const state = customerServiceWindow(c.lastInboundAt, now);
  return {
    id: c.id,
    channelId: c.channelId,
    status: c.status,
    snoozedUntil: iso(c.snoozedUntil),
    unreadCount: c.unreadCount,
    lastMessageAt: iso(c.lastMessageAt),
    lastInboundAt: iso(c.lastInboundAt),
    createdAt: c.createdAt.toISOString(),
    contact: {
      id: contact.id,
      name: contact.name ?? contact.profileName,
      profileName: contact.profileName,
      phone: contact.phoneE164,
      waId: contact.waId,
      attributes: contact.attributes,
      tags: contact.tags,
      optedOutAt: iso(contact.optedOutAt),
      marketingOptedOutAt: iso(contact.marketingOptedOutAt),
    },
    assignee: assigneeView(c.assigneeId, row.assigneeName, row.assigneeEmail),
    window: windowView(state),
    composer: composerFor(state, contact),
  };
}

export function toThreadMessage(row: MessageRow): ThreadMessage {
  const { error, media } = row;
  return {
    id: row.id,
    direction: row.direction,
    type: row.type,
    wamid: row.wamid,
    content: row.content,
    preview: row.preview,
    status: row.status,
    error: error
      ? { code: error.code, title: error.title, message: error.message, reason: error.reason }
      : null,
    // The storage key stays inside: media is fetched through the platform, not by path.
    media: media
      ? { state: media.state, mimeType: media.mimeType, fileName: media.fileName, error: media.error }
      : null,
    contextWamid: row.contextWamid,
    senderId: row.senderId,
    occurredAt: row.occurredAt.toISOString(),
    sentAt: iso(row.sentAt),
    deliveredAt: iso(row.deliveredAt),
    readAt: iso(row.readAt),
    failedAt: iso(row.failedAt),
  };
}
