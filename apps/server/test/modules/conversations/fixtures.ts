import { channels, wabas } from '../../../src/modules/channels/channels.tables.js';
import { contacts } from '../../../src/modules/contacts/contacts.tables.js';
import { saveInboxSettings } from '../../../src/modules/conversations/conversations.repository.js';
import {
  type ConversationRow,
  conversations,
} from '../../../src/modules/conversations/conversations.tables.js';
import { type MessageRow, messages } from '../../../src/modules/messages/messages.tables.js';
import { newId } from '../../../src/platform/ids.js';
import { type AccessFixture, createAccessFixture } from '../../helpers/access.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

let phone = 919800000000;

/** A connected channel (with its WABA) in a workspace, made directly in the database. */
export async function seedChannel(t: TestApp, workspaceId: string): Promise<string> {
  const wabaId = newId('waba');
  await t.platform.db.insert(wabas).values({ id: wabaId, workspaceId, externalId: `ext-${wabaId}` });
  const channelId = newId('channel');
  await t.platform.db
    .insert(channels)
    .values({ id: channelId, workspaceId, wabaId, phoneNumberId: `pn-${channelId}`, status: 'connected' });
  return channelId;
}

const channelsOf = new WeakMap<TestApp, Map<string, Promise<string>>>();
/** One channel per workspace, made on first use: for checks that seed a conversation per attempt. */
export function workspaceChannel(t: TestApp, workspaceId: string): Promise<string> {
  const channels = channelsOf.get(t) ?? new Map<string, Promise<string>>();
  channelsOf.set(t, channels);
  const channel = channels.get(workspaceId) ?? seedChannel(t, workspaceId);
  channels.set(workspaceId, channel);
  return channel;
}

export interface ConversationSeed {
  channelId: string;
  name?: string;
  assigneeId?: string | null;
  status?: ConversationRow['status'];
  unreadCount?: number;
  lastInboundAt?: Date | null;
  lastMessageAt?: Date | null;
  snoozedUntil?: Date | null;
  optedOut?: boolean;
  attributes?: Record<string, string>;
  tags?: string[];
}

/** A contact and its conversation on a channel; activity fields as given (no messages). */
export async function seedConversation(
  t: TestApp,
  workspaceId: string,
  seed: ConversationSeed,
): Promise<ConversationRow> {
  phone += 1;
  const contactId = newId('contact');
  await t.platform.db.insert(contacts).values({
    id: contactId,
    workspaceId,
    waId: String(phone),
    phoneE164: `+${phone}`,
    profileName: seed.name ?? `Customer ${phone}`,
    attributes: seed.attributes ?? {},
    tags: seed.tags ?? [],
    optedOutAt: seed.optedOut ? new Date() : null,
  });
  const [row] = await t.platform.db
    .insert(conversations)
    .values({
      id: newId('conversation'),
      workspaceId,
      channelId: seed.channelId,
      contactId,
      status: seed.status ?? 'open',
      assigneeId: seed.assigneeId ?? null,
      unreadCount: seed.unreadCount ?? 0,
      lastInboundAt: seed.lastInboundAt ?? null,
      lastMessageAt: seed.lastMessageAt ?? seed.lastInboundAt ?? null,
      snoozedUntil: seed.snoozedUntil ?? null,
    })
    .returning();
  if (!row) throw new Error('conversation not inserted');
  return row;
}

export async function seedMessage(
  t: TestApp,
  conversation: ConversationRow,
  values: Partial<MessageRow> & Pick<MessageRow, 'direction' | 'occurredAt'>,
): Promise<MessageRow> {
  const [row] = await t.platform.db
    .insert(messages)
    .values({
      id: newId('message'),
      workspaceId: conversation.workspaceId,
      conversationId: conversation.id,
      channelId: conversation.channelId,
      contactId: conversation.contactId,
      type: 'text',
      content: { text: { body: values.preview ?? 'hello' } },
      preview: 'hello',
      status: values.direction === 'inbound' ? 'received' : 'sent',
      ...values,
    })
    .returning();
  if (!row) throw new Error('message not inserted');
  return row;
}

export function allowAgentsUnassigned(t: TestApp, workspaceId: string, allowed: boolean) {
  return saveInboxSettings(t.platform.db, workspaceId, { agentsSeeUnassigned: allowed });
}

export const hoursAgo = (hours: number, from = Date.now()) => new Date(from - hours * 3600_000);

/**
 * For route checks on inbox resources: an app without worker and an access fixture whose Agents (and
 * Agent keys) see unassigned conversations, so every role reaches a fresh, unassigned one per attempt.
 */
export async function createInboxAccessApp(): Promise<{ t: TestApp; fx: AccessFixture }> {
  const t = await createTestApp({ worker: false });
  const fx = await createAccessFixture(t);
  await allowAgentsUnassigned(t, fx.workspaceId, true);
  return { t, fx };
}
