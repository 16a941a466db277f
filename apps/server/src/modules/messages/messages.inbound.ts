import type { InboundMessage, MessageStatus as MetaStatus } from '@openwaba/cloud-api';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { newId } from '../../platform/ids.js';
import { noteDelivered, noteUndeliverable } from '../contacts/contacts.delivery.js';
import {
  type MessageError,
  type MessageMedia,
  type MessageRow,
  messageStatusEvents,
  messages,
} from './messages.tables.js';
import { readableReason } from './send.errors.js';
import { statusRank, visibleStatus } from './status-rank.js';

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);

/** Unix seconds as Meta sends them (a string), to a Date. */
export function metaTime(timestamp: string | number | undefined, fallback = new Date()): Date {
  const seconds = Number(timestamp);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : fallback;
}

type Loose = Record<string, unknown>;
export const field = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' ? (value as Loose)[key] : undefined;
export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The text a person would read first: body, caption, button title, location name, emoji … */
export function previewOf(message: InboundMessage): string | undefined {
  const body = field(message, message.type);
  switch (message.type) {
    case 'text':
      return str(field(body, 'body'));
    case 'interactive': {
      const reply = field(body, 'button_reply') ?? field(body, 'list_reply') ?? field(body, 'nfm_reply');
      return str(field(reply, 'title')) ?? str(field(reply, 'body'));
    }
    case 'button':
      return str(field(body, 'text'));
    case 'location':
      return str(field(body, 'name')) ?? str(field(body, 'address')) ?? '📍 Location';
    case 'reaction':
      return str(field(body, 'emoji'));
    case 'contacts':
      return '👤 Contact card';
    case 'order':
      return '🛒 Order';
    default:
      return str(field(body, 'caption')) ?? (MEDIA_TYPES.has(message.type) ? `[${message.type}]` : undefined);
  }
}

/** Texts that may carry an opt-out keyword: the body, a quick-reply payload or text, a button title. */
export function optTextsOf(message: InboundMessage): {
  texts: (string | undefined)[];
  source: 'keyword' | 'button';
} {
  const body = field(message, message.type);
  if (message.type === 'text') return { texts: [str(field(body, 'body'))], source: 'keyword' };
  if (message.type === 'button')
    return { texts: [str(field(body, 'payload')), str(field(body, 'text'))], source: 'button' };
  if (message.type === 'interactive') {
    const reply = field(body, 'button_reply') ?? field(body, 'list_reply');
    return { texts: [str(field(reply, 'id')), str(field(reply, 'title'))], source: 'button' };
  }
  return { texts: [], source: 'keyword' };
}

export interface InboundMessageInput {
  workspaceId: string;
  conversationId: string;
  channelId: string;
  contactId: string;
  message: InboundMessage;
}

/** The row an inbound message is stored as. */
export function inboundMessageRow(input: InboundMessageInput): typeof messages.$inferInsert {
  const { message } = input;
  const content: Loose = {};
  for (const key of [message.type, 'context', 'referral', 'errors'] as const) {
    const value = field(message, key);
    if (value !== undefined) content[key] = value;
  }
  const mediaBody = MEDIA_TYPES.has(message.type) ? field(message, message.type) : undefined;
  const media: MessageMedia | null = mediaBody
    ? {
        metaMediaId: str(field(mediaBody, 'id')),
        mimeType: str(field(mediaBody, 'mime_type')),
        sha256: str(field(mediaBody, 'sha256')),
        fileName: str(field(mediaBody, 'filename')),
        state: 'pending',
      }
    : null;
  return {
    id: newId('message'),
    workspaceId: input.workspaceId,
    conversationId: input.conversationId,
    channelId: input.channelId,
    contactId: input.contactId,
    direction: 'inbound',
    type: message.type,
    wamid: message.id,
    content,
    preview: previewOf(message)?.slice(0, 500) ?? null,
    status: 'received',
    media,
    contextWamid:
      str(field(field(message, 'context'), 'id')) ??
      str(field(field(message, 'reaction'), 'message_id')) ??
      null,
    occurredAt: metaTime(message.timestamp),
  };
}

export interface StatusOutcome {
  message: Pick<MessageRow, 'id' | 'conversationId'> | null;
  /** The status the message now shows, when this update moved it. */
  movedTo: 'sent' | 'delivered' | 'read' | 'failed' | null;
}

/**
 * Records a status (once per wamid and status) and applies it to its message if it moves the status
 * forward. Timestamps of skipped steps are still filled in (a late `delivered` after `read`).
 */
export async function applyStatus(
  tx: Executor,
  workspaceId: string,
  status: MetaStatus,
): Promise<StatusOutcome> {
  const at = metaTime(status.timestamp);
  const errors = (status.errors ?? []) as Loose[];
  await tx
    .insert(messageStatusEvents)
    .values({
      id: newId('statusEvent'),
      workspaceId,
      wamid: status.id,
      status: status.status,
      occurredAt: at,
      pricing: (status.pricing as Loose | undefined) ?? null,
      conversation: (status.conversation as Loose | undefined) ?? null,
      errors: errors.length > 0 ? errors : null,
      recipientId: str(field(status, 'recipient_id')) ?? null,
    })
    .onConflictDoNothing();
  const selection = {
    id: messages.id,
    conversationId: messages.conversationId,
    contactId: messages.contactId,
    statusRank: messages.statusRank,
  };
  let [message] = await tx
    .select(selection)
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.wamid, status.id)))
    .for('update');
  if (!message) message = await adoptByCallbackData(tx, workspaceId, status);
  if (!message) return { message: null, movedTo: null };

  const shown = visibleStatus(status.status);
  const rank = statusRank(status.status);
  const moves = shown !== null && rank > message.statusRank && message.statusRank < statusRank('failed');
  const timestampColumn =
    shown === 'sent'
      ? 'sentAt'
      : shown === 'delivered'
        ? 'deliveredAt'
        : shown === 'read'
          ? 'readAt'
          : shown === 'failed'
            ? 'failedAt'
            : null;
  const set: Partial<Record<string, unknown>> = { updatedAt: new Date() };
  if (timestampColumn) {
    const column = messages[timestampColumn];
    set[timestampColumn] = sql`coalesce(${column}, ${at.toISOString()}::timestamptz)`;
  }
  if (status.pricing) set.pricing = status.pricing;
  if (moves) {
    set.status = shown;
    set.statusRank = rank;
    if (shown === 'failed') set.error = toMessageError(errors[0]);
    if (shown !== 'failed') set.sendStartedAt = null;
  }
  await tx.update(messages).set(set).where(eq(messages.id, message.id));
  if (shown === 'failed' && moves && Number(field(errors[0], 'code')) === 131026) {
    await noteUndeliverable(tx, workspaceId, message.contactId);
  } else if (shown === 'delivered' || shown === 'read') {
    await noteDelivered(tx, workspaceId, message.contactId);
  }
  await tx
    .update(messageStatusEvents)
    .set({ appliedAt: new Date() })
    .where(and(eq(messageStatusEvents.wamid, status.id), eq(messageStatusEvents.status, status.status)));
  return { message, movedTo: moves ? shown : null };
}

/**
 * Our sends carry the message id in biz_opaque_callback_data. A status for a wamid we never stored
 * (the worker died between Meta's answer and writing it down) names the message: adopt the wamid.
 */
async function adoptByCallbackData(tx: Executor, workspaceId: string, status: MetaStatus) {
  const ours = str(field(status, 'biz_opaque_callback_data'));
  if (!ours?.startsWith('msg_')) return undefined;
  const [adopted] = await tx
    .update(messages)
    .set({ wamid: status.id, sendStartedAt: null, updatedAt: new Date() })
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.id, ours),
        eq(messages.direction, 'outbound'),
        isNull(messages.wamid),
      ),
    )
    .returning({
      id: messages.id,
      conversationId: messages.conversationId,
      contactId: messages.contactId,
      statusRank: messages.statusRank,
    });
  return adopted;
}

export function toMessageError(error: Loose | undefined): MessageError {
  const code = Number(field(error, 'code') ?? 0);
  return {
    code,
    title: str(field(error, 'title')),
    message: str(field(error, 'message')),
    details: str(field(field(error, 'error_data'), 'details')),
    reason: readableReason(code, str(field(error, 'title'))),
  };
}
