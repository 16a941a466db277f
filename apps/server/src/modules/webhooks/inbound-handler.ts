import type { WebhookItem } from '@openwaba/cloud-api';
import { sql } from 'drizzle-orm';
import { Counter } from 'prom-client';
import type { Platform } from '../../platform/context.js';
import { ChannelRouter, type RoutedChannel } from '../channels/channels.routing.js';
import { handleChannelWebhookItem } from '../channels/channels.webhooks.js';
import {
  applyOptChange,
  detectOptIntent,
  loadOptSettings,
  noteContactInbound,
  upsertInboundContact,
} from '../contacts/contacts.inbound.js';
import { ensureConversation, recordInboundActivity } from '../conversations/conversations.inbound.js';
import { contactOptChanged, messageReceived, messageStatusChanged } from '../messages/messages.events.js';
import { applyStatus, insertInboundMessage, metaTime, optTextsOf } from '../messages/messages.inbound.js';
import { handleTemplateWebhookItem } from '../templates/templates.webhooks.js';
import { fetchInboundMediaJob } from './inbound-media.js';
import type { WebhookItemsHandler } from './webhooks.service.js';
import { webhookUnroutedNumbers } from './webhooks.tables.js';

type Publish = () => Promise<void>;

/**
 * Turns webhook items into contacts, conversations, messages and statuses. Each item commits in its own
 * transaction and is idempotent (wamid unique, statuses by rank, opt changes only when they change
 * something), so a repeated or replayed event changes nothing twice. Events are published after commit.
 */
export function createInboundHandler(platform: Platform): WebhookItemsHandler {
  const router = new ChannelRouter(platform.db);
  const items = new Counter({
    name: 'webhook_items_total',
    help: 'Webhook items processed, by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [platform.metrics.registry],
  });

  return async (_platform, batch) => {
    for (const item of batch) {
      const phoneNumberId = 'phoneNumberId' in item ? item.phoneNumberId : undefined;
      const channel = phoneNumberId ? await router.byPhoneNumberId(phoneNumberId) : null;
      if (phoneNumberId && !channel) {
        await recordUnrouted(platform, phoneNumberId, item.wabaId);
        items.inc({ kind: item.kind, outcome: 'unrouted' });
        continue;
      }
      const publish = await handleItem(platform, item, channel);
      items.inc({ kind: item.kind, outcome: publish ? 'applied' : 'ignored' });
      if (publish)
        await publish().catch((error: unknown) =>
          platform.logger.warn({ err: error }, 'event publish failed'),
        );
    }
  };
}

async function handleItem(
  platform: Platform,
  item: WebhookItem,
  channel: RoutedChannel | null,
): Promise<Publish | null> {
  switch (item.kind) {
    case 'message':
    case 'unknown_message':
      return channel ? handleMessage(platform, channel, item) : null;
    case 'status':
      return channel ? handleStatus(platform, channel, item) : null;
    case 'user_preference':
      return channel ? handlePreference(platform, channel, item) : null;
    case 'error':
      platform.logger.warn(
        { phoneNumberId: item.phoneNumberId, code: item.error.code },
        'Meta reported a webhook-level error',
      );
      return null;
    case 'template_status':
    case 'template_quality':
    case 'template_category':
      return handleTemplateWebhookItem(platform, item);
    case 'phone_number_quality':
    case 'account_update':
    case 'business_capability':
      return handleChannelWebhookItem(platform, item);
    case 'unknown_change':
      return null;
    default:
      return item satisfies never;
  }
}

async function handleMessage(
  platform: Platform,
  channel: RoutedChannel,
  item: Extract<WebhookItem, { kind: 'message' | 'unknown_message' }>,
): Promise<Publish | null> {
  const { message } = item;
  const workspaceId = channel.workspaceId;
  // Since 2026 a user may hide their number: `from` is then empty and the BSUID identifies them.
  const waId = item.contact?.wa_id || message.from || undefined;
  const userId = item.contact?.user_id || (message as { from_user_id?: string }).from_user_id || undefined;
  const events: Publish[] = [];
  await platform.db.transaction(async (tx) => {
    const contact = await upsertInboundContact(tx, workspaceId, {
      waId,
      userId,
      profileName: item.contact?.profile?.name,
    });
    const conversation = await ensureConversation(tx, workspaceId, channel.id, contact.id);
    const stored = await insertInboundMessage(tx, {
      workspaceId,
      conversationId: conversation.id,
      channelId: channel.id,
      contactId: contact.id,
      message,
    });
    if (!stored) return; // a repeat: everything below already happened once
    const at = metaTime(message.timestamp);
    await recordInboundActivity(tx, workspaceId, conversation.id, at);
    await noteContactInbound(tx, workspaceId, contact.id, at);
    if (stored.media) {
      const job = { workspaceId, messageId: stored.id };
      events.push(() => platform.jobs.enqueue(fetchInboundMediaJob, job, { jobId: `media-${stored.id}` }));
    }
    events.push(() =>
      platform.events.publish(messageReceived, {
        workspaceId,
        conversationId: conversation.id,
        messageId: stored.id,
        contactId: contact.id,
      }),
    );

    const { texts, source } = optTextsOf(message);
    const intent = detectOptIntent(texts, await loadOptSettings(tx, workspaceId));
    if (intent) {
      const changed = await applyOptChange(tx, workspaceId, contact, {
        change: intent,
        source,
        at,
        messageId: stored.id,
        detail: texts.find(Boolean)?.slice(0, 64),
      });
      if (changed) {
        events.push(() =>
          platform.events.publish(contactOptChanged, { workspaceId, contactId: contact.id, change: intent }),
        );
      }
    }
  });
  return events.length > 0 ? async () => void (await Promise.all(events.map((publish) => publish()))) : null;
}

async function handleStatus(
  platform: Platform,
  channel: RoutedChannel,
  item: Extract<WebhookItem, { kind: 'status' }>,
): Promise<Publish | null> {
  const workspaceId = channel.workspaceId;
  const outcome = await platform.db.transaction((tx) => applyStatus(tx, workspaceId, item.status));
  const { message, movedTo } = outcome;
  if (!message || !movedTo) return null;
  return () =>
    platform.events.publish(messageStatusChanged, {
      workspaceId,
      conversationId: message.conversationId,
      messageId: message.id,
      status: movedTo,
    });
}

async function handlePreference(
  platform: Platform,
  channel: RoutedChannel,
  item: Extract<WebhookItem, { kind: 'user_preference' }>,
): Promise<Publish | null> {
  const { preference } = item;
  if (preference.category !== 'marketing_messages') return null;
  const change =
    preference.value === 'stop'
      ? 'marketing_opt_out'
      : preference.value === 'resume'
        ? 'marketing_opt_in'
        : null;
  if (!change) return null;
  const workspaceId = channel.workspaceId;
  let contactId: string | null = null;
  await platform.db.transaction(async (tx) => {
    const contact = await upsertInboundContact(tx, workspaceId, {
      waId: preference.wa_id || item.contact?.wa_id || undefined,
      userId: preference.user_id || item.contact?.user_id || undefined,
      profileName: item.contact?.profile?.name,
    });
    const changed = await applyOptChange(tx, workspaceId, contact, {
      change,
      source: 'user_preferences',
      at: metaTime(preference.timestamp),
      detail: preference.detail?.slice(0, 200),
    });
    if (changed) contactId = contact.id;
  });
  const changedContact = contactId;
  return changedContact
    ? () => platform.events.publish(contactOptChanged, { workspaceId, contactId: changedContact, change })
    : null;
}

async function recordUnrouted(platform: Platform, phoneNumberId: string, wabaId: string): Promise<void> {
  await platform.db
    .insert(webhookUnroutedNumbers)
    .values({ phoneNumberId, wabaId, items: 1 })
    .onConflictDoUpdate({
      target: webhookUnroutedNumbers.phoneNumberId,
      set: { items: sql`${webhookUnroutedNumbers.items} + 1`, lastSeenAt: new Date() },
    });
}
