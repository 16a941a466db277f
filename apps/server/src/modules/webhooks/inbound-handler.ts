import type { WebhookItem } from '@openwaba/cloud-api';
import { sql } from 'drizzle-orm';
import { Counter } from 'prom-client';
import type { Platform } from '../../platform/context.js';
import type { Executor } from '../../platform/db/client.js';
import { systemActor } from '../../platform/http/auth.js';
import { billStatuses } from '../billing/billing.charges.js';
import { ChannelRouter, type RoutedChannel } from '../channels/channels.routing.js';
import { handleChannelWebhookItem } from '../channels/channels.webhooks.js';
import {
  type ContactInboundUpdate,
  identityKey,
  updateInboundContacts,
  upsertInboundContacts,
} from '../contacts/contacts.bulk.js';
import {
  applyOptChange,
  detectOptIntent,
  type InboundIdentity,
  loadOptSettings,
  upsertInboundContact,
} from '../contacts/contacts.inbound.js';
import {
  conversationsOpened,
  ensureConversations,
  openedByInbound,
  recordInboundActivityBulk,
} from '../conversations/conversations.inbound.js';
import { contactOptChanged, messageReceived, messageStatusChanged } from '../messages/messages.events.js';
import { metaTime, optTextsOf } from '../messages/messages.inbound.js';
import { applyStatuses, insertInboundMessages } from '../messages/messages.inbound-batch.js';
import { sendMessage } from '../messages/send.service.js';
import { handleTemplateWebhookItem } from '../templates/templates.webhooks.js';
import { fetchInboundMediaJob } from './inbound-media.js';
import type { PostCommitStep, WebhookItemsHandler } from './webhooks.service.js';
import { webhookUnroutedNumbers } from './webhooks.tables.js';

type MessageItem = Extract<WebhookItem, { kind: 'message' | 'unknown_message' }>;
type StatusItem = Extract<WebhookItem, { kind: 'status' }>;
type PreferenceItem = Extract<WebhookItem, { kind: 'user_preference' }>;

interface WorkspaceBatch {
  messages: { channel: RoutedChannel; item: MessageItem }[];
  statuses: StatusItem[];
  preferences: { channel: RoutedChannel; item: PreferenceItem }[];
}

/**
 * Turns a batch of webhook items into contacts, conversations, messages and statuses, in the batch's
 * transaction: per workspace a few set-based statements for hundreds of items, idempotent throughout
 * (wamid unique, statuses by rank, counters moved only for newly stored messages, opt changes only when
 * they change something). Events, media downloads and confirmations go out after commit.
 */
export function createInboundHandler(platform: Platform): WebhookItemsHandler {
  const router = new ChannelRouter();
  const counter = new Counter({
    name: 'webhook_items_total',
    help: 'Webhook items processed, by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [platform.metrics.registry],
  });

  return async (tx, items) => {
    const batches = new Map<string, WorkspaceBatch>();
    const unrouted = new Map<string, { wabaId: string; count: number }>();
    const after: PostCommitStep[] = [];
    for (const item of items) {
      const phoneNumberId = 'phoneNumberId' in item ? item.phoneNumberId : undefined;
      const channel = phoneNumberId ? await router.byPhoneNumberId(tx, phoneNumberId) : null;
      if (phoneNumberId && !channel) {
        const entry = unrouted.get(phoneNumberId) ?? { wabaId: item.wabaId, count: 0 };
        entry.count++;
        unrouted.set(phoneNumberId, entry);
        counter.inc({ kind: item.kind, outcome: 'unrouted' });
        continue;
      }
      const batchOf = (workspaceId: string) => {
        let batch = batches.get(workspaceId);
        if (!batch) {
          batch = { messages: [], statuses: [], preferences: [] };
          batches.set(workspaceId, batch);
        }
        return batch;
      };
      switch (item.kind) {
        case 'message':
        case 'unknown_message':
          if (channel) batchOf(channel.workspaceId).messages.push({ channel, item });
          break;
        case 'status':
          if (channel) batchOf(channel.workspaceId).statuses.push(item);
          break;
        case 'user_preference':
          if (channel) batchOf(channel.workspaceId).preferences.push({ channel, item });
          break;
        case 'error':
          platform.logger.warn(
            { phoneNumberId: item.phoneNumberId, code: item.error.code },
            'Meta reported a webhook-level error',
          );
          break;
        case 'template_status':
        case 'template_quality':
        case 'template_category': {
          const publish = await handleTemplateWebhookItem(platform, tx, item);
          if (publish) after.push(publish);
          break;
        }
        case 'phone_number_quality':
        case 'account_update':
        case 'business_capability': {
          const publish = await handleChannelWebhookItem(platform, tx, item);
          if (publish) after.push(publish);
          break;
        }
        case 'unknown_change':
          break;
        default:
          item satisfies never;
      }
    }

    // Workspaces in id order: two workers' batches then lock their rows in the same order.
    for (const workspaceId of [...batches.keys()].sort()) {
      const batch = batches.get(workspaceId)!;
      after.push(...(await processWorkspaceBatch(platform, tx, workspaceId, batch)));
      counter.inc({ kind: 'message', outcome: 'applied' }, batch.messages.length);
      counter.inc({ kind: 'status', outcome: 'applied' }, batch.statuses.length);
    }
    for (const [phoneNumberId, { wabaId, count }] of unrouted)
      await recordUnrouted(tx, phoneNumberId, wabaId, count);
    return after;
  };
}

async function processWorkspaceBatch(
  platform: Platform,
  tx: Executor,
  workspaceId: string,
  batch: WorkspaceBatch,
): Promise<PostCommitStep[]> {
  const after: PostCommitStep[] = [];

  // Statuses first: they lock message rows, the inbound part below locks conversations then contacts.
  const statuses = batch.statuses.map((item) => item.status);
  const changes = await applyStatuses(tx, workspaceId, statuses);
  // Usage ledger, wallet settlement and template outcomes, in the same transaction.
  await billStatuses(tx, workspaceId, statuses, platform.config.billing.currency);
  for (const change of changes) {
    after.push(() =>
      platform.events.publish(messageStatusChanged, { workspaceId, ...change, status: change.movedTo }),
    );
  }

  if (batch.messages.length > 0) {
    const identities = batch.messages.map(({ item }) => identityOf(item));
    const contacts = await upsertInboundContacts(tx, workspaceId, identities);
    const contactOf = (who: InboundIdentity) => contacts.get(identityKey(who));
    const conversations = await ensureConversations(
      tx,
      workspaceId,
      batch.messages.flatMap(({ channel }, i) => {
        const contact = contactOf(identities[i]!);
        return contact ? [{ channelId: channel.id, contactId: contact.id }] : [];
      }),
    );
    const inputs = batch.messages.flatMap(({ channel, item }, i) => {
      const contact = contactOf(identities[i]!);
      const conversation = contact && conversations.get(`${channel.id}/${contact.id}`);
      return contact && conversation
        ? [
            {
              workspaceId,
              conversationId: conversation.id,
              channelId: channel.id,
              contactId: contact.id,
              message: item.message,
            },
          ]
        : [];
    });
    const fresh = await insertInboundMessages(tx, inputs);
    const freshWamids = new Set(fresh.map((row) => row.wamid));

    const activity = new Map<string, { count: number; at: Date }>();
    const contactUpdates = new Map<string, ContactInboundUpdate>();
    for (const who of identities) {
      const contact = contactOf(who);
      if (contact && who.profileName && who.profileName !== contact.profileName) {
        contactUpdates.set(contact.id, { ...contactUpdates.get(contact.id), profileName: who.profileName });
      }
    }
    for (const row of fresh) {
      const current = activity.get(row.conversationId);
      activity.set(row.conversationId, {
        count: (current?.count ?? 0) + 1,
        at: current && current.at > row.occurredAt ? current.at : row.occurredAt,
      });
      const update = contactUpdates.get(row.contactId) ?? {};
      if (!update.at || update.at < row.occurredAt) update.at = row.occurredAt;
      contactUpdates.set(row.contactId, update);
      after.push(() =>
        platform.events.publish(messageReceived, {
          workspaceId,
          conversationId: row.conversationId,
          messageId: row.id,
          contactId: row.contactId,
        }),
      );
    }
    await recordInboundActivityBulk(tx, workspaceId, activity);
    const opened = openedByInbound(conversations, activity);
    if (opened.length > 0) after.push(() => conversationsOpened(platform, workspaceId, opened));
    await updateInboundContacts(tx, workspaceId, contactUpdates);

    const mediaJobs = fresh.filter((row) => row.hasMedia);
    if (mediaJobs.length > 0) {
      after.push(() =>
        platform.jobs.enqueueMany(
          fetchInboundMediaJob,
          mediaJobs.map((row) => ({
            payload: { workspaceId, messageId: row.id },
            options: { jobId: `media-${row.id}` },
          })),
        ),
      );
    }

    // Opt-out keywords, in the order the customer wrote them (STOP then START ends opted in).
    const settings = await loadOptSettings(platform, tx, workspaceId);
    const freshInputs = inputs
      .filter((input) => freshWamids.has(input.message.id))
      .sort((a, b) => metaTime(a.message.timestamp).getTime() - metaTime(b.message.timestamp).getTime());
    for (const input of freshInputs) {
      const { texts, source } = optTextsOf(input.message);
      const intent = detectOptIntent(texts, settings);
      if (!intent) continue;
      const contact = [...contacts.values()].find((row) => row.id === input.contactId);
      const stored = fresh.find((row) => row.wamid === input.message.id);
      if (!contact || !stored) continue;
      const at = metaTime(input.message.timestamp);
      const changed = await applyOptChange(tx, workspaceId, contact, {
        change: intent,
        source,
        at,
        messageId: stored.id,
        detail: texts.find(Boolean)?.slice(0, 64),
      });
      if (!changed) continue;
      contact.optedOutAt = intent === 'opt_out' ? at : null;
      after.push(() =>
        platform.events.publish(contactOptChanged, { workspaceId, contactId: contact.id, change: intent }),
      );
      if (settings.sendConfirmation) {
        const body = intent === 'opt_out' ? settings.stopReply : settings.startReply;
        after.push(() => sendOptConfirmation(platform, workspaceId, input.channelId, contact.id, body));
      }
    }
  }

  for (const { item } of batch.preferences) {
    const publish = await applyPreference(tx, workspaceId, item);
    if (publish) after.push(() => platform.events.publish(contactOptChanged, publish));
  }
  return after;
}

function identityOf(item: MessageItem): InboundIdentity {
  // Since 2026 a user may hide their number: `from` is then empty and the BSUID identifies them.
  return {
    waId: item.contact?.wa_id || item.message.from || undefined,
    userId: item.contact?.user_id || (item.message as { from_user_id?: string }).from_user_id || undefined,
    profileName: item.contact?.profile?.name,
  };
}

async function applyPreference(tx: Executor, workspaceId: string, item: PreferenceItem) {
  const { preference } = item;
  if (preference.category !== 'marketing_messages') return null;
  const change =
    preference.value === 'stop'
      ? 'marketing_opt_out'
      : preference.value === 'resume'
        ? 'marketing_opt_in'
        : null;
  if (!change) return null;
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
  return changed ? { workspaceId, contactId: contact.id, change } : null;
}

/** The reply confirming a STOP or START; the one message an opted-out contact still receives. */
async function sendOptConfirmation(
  platform: Platform,
  workspaceId: string,
  channelId: string,
  contactId: string,
  body: string,
): Promise<void> {
  const result = await sendMessage(platform, {
    workspaceId,
    actor: systemActor('opt-out confirmation'),
    purpose: 'opt_confirmation',
    message: { type: 'text', channelId, contactId, text: { body } },
  });
  if (!result.ok) {
    platform.logger.warn(
      { workspaceId, contactId, code: result.refusal.code },
      'opt-out confirmation not sent',
    );
  }
}

async function recordUnrouted(
  tx: Executor,
  phoneNumberId: string,
  wabaId: string,
  count: number,
): Promise<void> {
  await tx
    .insert(webhookUnroutedNumbers)
    .values({ phoneNumberId, wabaId, items: count })
    .onConflictDoUpdate({
      target: webhookUnroutedNumbers.phoneNumberId,
      set: { items: sql`${webhookUnroutedNumbers.items} + ${count}`, lastSeenAt: new Date() },
    });
}
