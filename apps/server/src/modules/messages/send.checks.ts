import type { OutboundMessageContent, TemplateSendComponent } from '@openwaba/cloud-api';
import { and, eq, or, type SQL, sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import { type Platform, perPlatform } from '../../platform/context.js';
import { preparedStatement } from '../../platform/db/client.js';
import type { ErrorCode, ErrorDetail } from '../../platform/http/errors.js';
import { type ChannelUnusable, usableChannel } from '../channels/channels.credentials.js';
import { type ChannelRow, channels, wabas } from '../channels/channels.tables.js';
import { upsertInboundContact, waIdToE164 } from '../contacts/contacts.inbound.js';
import { type ContactRow, contacts } from '../contacts/contacts.tables.js';
import { type ConversationRow, conversations } from '../conversations/conversations.tables.js';
import { customerServiceWindow } from '../conversations/window.js';
import { fillTemplate } from '../templates/templates.params.js';
import { findTemplateByName } from '../templates/templates.repository.js';
import type { TemplateRow } from '../templates/templates.tables.js';
import { effectiveLimits } from '../workspaces/plans.js';
import { findWorkspace } from '../workspaces/workspaces.repository.js';
import type { SendMessageBody } from './messages.schemas.js';
import { messages } from './messages.tables.js';

/** Why a send was refused before anything left: one error code per check. */
export interface SendRefusal {
  code: ErrorCode;
  message: string;
  details?: ErrorDetail[];
  retryAfterMs?: number;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; refusal: SendRefusal };
const refuse = (code: ErrorCode, message: string, extra: Partial<SendRefusal> = {}) =>
  ({ ok: false, refusal: { code, message, ...extra } }) as const;

/** Why the channel cannot send, as the API's refusal. */
function channelRefusal(unusable: ChannelUnusable) {
  switch (unusable.reason) {
    case 'not_found':
      return refuse('channel_not_found', 'No such channel in this workspace');
    case 'needs_reauth':
      return refuse(
        'channel_needs_reauth',
        'The number must be reconnected: its access token no longer works',
      );
    case 'not_connected':
      return refuse(
        'channel_not_connected',
        `The number is not connected (status ${unusable.status ?? 'unknown'})`,
      );
    case 'no_token':
      return refuse('channel_not_connected', 'The number has no access token');
    default:
      return unusable.reason satisfies never;
  }
}

/** The columns of a send's channel, WABA, recipient and conversation that the checks and the insert read. */
const channelColumns = {
  id: channels.id,
  wabaId: channels.wabaId,
  status: channels.status,
  messagingLimitTier: channels.messagingLimitTier,
};
const wabaColumns = {
  status: wabas.status,
  externalId: wabas.externalId,
  tokenSecretId: wabas.tokenSecretId,
};
const contactColumns = {
  id: contacts.id,
  waId: contacts.waId,
  userId: contacts.userId,
  optedOutAt: contacts.optedOutAt,
  marketingOptedOutAt: contacts.marketingOptedOutAt,
  heldUntil: contacts.heldUntil,
};
const conversationColumns = { id: conversations.id, lastInboundAt: conversations.lastInboundAt };
export type SendChannel = Pick<ChannelRow, keyof typeof channelColumns>;
export type SendContact = Pick<ContactRow, keyof typeof contactColumns>;
export type SendConversation = Pick<ConversationRow, keyof typeof conversationColumns>;

/**
 * What every send reads, prepared once per database and read in one round trip: the channel with its
 * WABA, the recipient (by id or by number, if known yet) and their conversation on that channel. Only
 * the columns the send needs: the driver's cost per statement grows with the columns it describes.
 */
function targetStatement(name: string, contactMatch: SQL) {
  return preparedStatement((db) =>
    db
      .select({
        channel: channelColumns,
        waba: wabaColumns,
        contact: contactColumns,
        conversation: conversationColumns,
      })
      .from(channels)
      .innerJoin(wabas, eq(wabas.id, channels.wabaId))
      .leftJoin(contacts, and(eq(contacts.workspaceId, channels.workspaceId), contactMatch))
      .leftJoin(
        conversations,
        and(
          eq(conversations.workspaceId, channels.workspaceId),
          eq(conversations.channelId, channels.id),
          eq(conversations.contactId, contacts.id),
        ),
      )
      .where(
        and(
          eq(channels.workspaceId, sql.placeholder('workspaceId')),
          eq(channels.id, sql.placeholder('channelId')),
        ),
      )
      .limit(1)
      .prepare(name),
  );
}
const targetByContactId = targetStatement(
  'send_target_by_contact_id',
  eq(contacts.id, sql.placeholder('contact')),
);
const targetByWaId = targetStatement('send_target_by_wa_id', eq(contacts.waId, sql.placeholder('contact')));

export interface SendTarget {
  channel: SendChannel;
  contact: SendContact;
  /** The conversation of (channel, contact), if there is one yet: the window check reads it, the send reuses it. */
  conversation: SendConversation | undefined;
}

/**
 * The channel (connected, with a token) and the recipient as a contact: found by id, or by number
 * (created on first send). A refused channel is reported before a malformed recipient.
 */
export async function checkTarget(
  platform: Platform,
  workspaceId: string,
  input: { channelId: string; to?: string; contactId?: string },
): Promise<Checked<SendTarget>> {
  const { channelId } = input;
  let waId: string | null = null;
  if (!input.contactId) {
    const raw = (input.to ?? '').replace(/[\s\-().]/g, '');
    waId = /^\+?\d{6,15}$/.test(raw) ? (waIdToE164(raw)?.slice(1) ?? null) : null;
  }
  const [row] = input.contactId
    ? await targetByContactId(platform.db).execute({ workspaceId, channelId, contact: input.contactId })
    : await targetByWaId(platform.db).execute({ workspaceId, channelId, contact: waId ?? '' });
  const usable = usableChannel(row);
  if (!usable.ok) return channelRefusal(usable);
  const { channel } = usable;
  const conversation = row?.conversation ?? undefined;
  if (input.contactId) {
    const contact = row?.contact;
    if (!contact) return refuse('contact_not_found', 'No such contact in this workspace');
    if (!contact.waId && !contact.userId)
      return refuse('invalid_recipient', 'The contact has no WhatsApp number');
    return { ok: true, value: { channel, contact, conversation } };
  }
  if (!waId)
    return refuse('invalid_recipient', 'The recipient is not a valid phone number in international format');
  if (row?.contact) return { ok: true, value: { channel, contact: row.contact, conversation } };
  // The first send to a number creates its contact.
  const created = await upsertInboundContact(platform.db, workspaceId, { waId });
  return { ok: true, value: { channel, contact: created, conversation: undefined } };
}

export function checkOptOut(
  contact: SendContact,
  options: { marketing: boolean; bypass: boolean; bulk: boolean },
): SendRefusal | null {
  if (options.bypass) return null;
  if (contact.optedOutAt) return { code: 'contact_opted_out', message: 'The contact opted out of messages' };
  if (options.marketing && contact.marketingOptedOutAt) {
    return { code: 'marketing_opted_out', message: 'The contact stopped marketing messages' };
  }
  if (options.bulk && contact.heldUntil && contact.heldUntil.getTime() > Date.now()) {
    return {
      code: 'contact_held',
      message: `Recent sends to this contact were undeliverable; held back from bulk sends until ${contact.heldUntil.toISOString()}`,
    };
  }
  return null;
}

export function checkWindow(
  conversation: Pick<ConversationRow, 'lastInboundAt'> | undefined,
): SendRefusal | null {
  const window = customerServiceWindow(conversation?.lastInboundAt ?? null);
  if (window.open) return null;
  return {
    code: 'outside_service_window',
    message: 'The customer has not written in the last 24 hours: only an approved template may be sent',
  };
}

export async function checkTemplate(
  platform: Platform,
  workspaceId: string,
  channel: Pick<ChannelRow, 'wabaId'>,
  request: Extract<SendMessageBody, { type: 'template' }>['template'],
): Promise<Checked<{ template: TemplateRow; components: TemplateSendComponent[]; preview: string }>> {
  const template = await findTemplateByName(
    platform.db,
    workspaceId,
    channel.wabaId,
    request.name,
    request.language,
  );
  if (!template) {
    return refuse(
      'template_not_found',
      `No template "${request.name}" in language ${request.language} for this number`,
    );
  }
  if (template.status !== 'APPROVED') {
    return refuse('template_not_approved', `The template is ${template.status}, not APPROVED`);
  }
  const filled = fillTemplate(template, request.parameters);
  if (!filled.ok) {
    return refuse('template_parameters_invalid', 'Template parameters are missing or malformed', {
      details: filled.problems,
    });
  }
  return { ok: true, value: { template, components: filled.components, preview: filled.rendered.body } };
}

/** Our message id or Meta's wamid of a message in this workspace → its wamid. */
export async function resolveWamid(
  platform: Platform,
  workspaceId: string,
  reference: string,
): Promise<string | null> {
  const [row] = await platform.db
    .select({ wamid: messages.wamid })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        or(eq(messages.id, reference), eq(messages.wamid, reference)),
      ),
    );
  return row?.wamid ?? null;
}

// One limiter per plan size (messages per minute), per platform.
const planLimiters = perPlatform(() => new Map<number, ReturnType<Platform['rateLimits']['limiter']>>());

// Plan limits change only by an operator, so each process re-reads a workspace's every few seconds
// instead of once per message (a send is a handful of round trips; this was one of them).
const planCache = perPlatform(() => new LRUCache<string, number>({ max: 10_000, ttl: 5_000 }));

async function messagesPerMinute(platform: Platform, workspaceId: string): Promise<number | null> {
  const cache = planCache(platform);
  const hit = cache.get(workspaceId);
  if (hit !== undefined) return hit;
  const workspace = await findWorkspace(platform.db, workspaceId);
  if (!workspace) return null;
  const perMinute = effectiveLimits(workspace).messagesPerMinute;
  cache.set(workspaceId, perMinute);
  return perMinute;
}

/** The workspace's plan limit (messages per minute); counts this message when allowed. */
export async function checkPlanLimit(platform: Platform, workspaceId: string): Promise<SendRefusal | null> {
  const perMinute = await messagesPerMinute(platform, workspaceId);
  if (perMinute === null) return { code: 'not_found', message: 'Workspace not found' };
  const byLimit = planLimiters(platform);
  let limiter = byLimit.get(perMinute);
  if (!limiter) {
    limiter = platform.rateLimits.limiter({
      name: `messages:plan:${perMinute}`,
      points: perMinute,
      durationSeconds: 60,
    });
    byLimit.set(perMinute, limiter);
  }
  const decision = await limiter.consume(workspaceId);
  if (decision.allowed) return null;
  return {
    code: 'plan_rate_limited',
    message: `The workspace's plan allows ${perMinute} messages per minute`,
    retryAfterMs: decision.retryAfterMs,
  };
}

/** Meta's message content for a checked request, with the plain-text preview. */
export function toMetaContent(
  body: SendMessageBody,
  extra: { templateComponents?: TemplateSendComponent[]; templatePreview?: string; reactionWamid?: string },
): { content: OutboundMessageContent; preview: string } {
  switch (body.type) {
    case 'text':
      return {
        content: {
          type: 'text',
          text: { body: body.text.body, ...(body.text.previewUrl ? { preview_url: true } : {}) },
        },
        preview: body.text.body,
      };
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker': {
      const media = (body as Record<string, unknown>)[body.type] as Record<string, unknown>;
      const caption = typeof media.caption === 'string' ? media.caption : undefined;
      return {
        content: { type: body.type, [body.type]: media } as OutboundMessageContent,
        preview: caption ?? `[${body.type}]`,
      };
    }
    case 'template':
      return {
        content: {
          type: 'template',
          template: {
            name: body.template.name,
            language: { code: body.template.language },
            ...(extra.templateComponents?.length ? { components: extra.templateComponents } : {}),
          },
        },
        preview: extra.templatePreview ?? body.template.name,
      };
    case 'interactive':
      return {
        content: { type: 'interactive', interactive: body.interactive },
        preview: body.interactive.body.text,
      };
    case 'reaction':
      return {
        content: {
          type: 'reaction',
          reaction: { message_id: extra.reactionWamid ?? '', emoji: body.reaction.emoji },
        },
        preview: body.reaction.emoji,
      };
    default:
      return body satisfies never;
  }
}
