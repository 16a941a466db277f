import { webhookError } from './errors.js';
import { storeMedia } from './graph/media.js';
import type { GraphSimulator } from './sim.js';
import type { Customer, PhoneNumber } from './state/entities.js';
import { wamid } from './state/ids.js';
import type { WebhookContact } from './webhooks/payload.js';

/**
 * Virtual customers writing to a business: every inbound type Meta delivers, shaped as Meta's
 * `messages[]` items, opening the 24-hour window (and the 72-hour free entry point for ad referrals).
 */
export const INBOUND_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'reaction',
  'order',
  'unsupported',
] as const;
export type InboundType = (typeof INBOUND_TYPES)[number];

const MEDIA_DEFAULTS: Record<string, { mime: string; bytes: () => Buffer }> = {
  image: {
    mime: 'image/jpeg',
    bytes: () => Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex'),
  },
  sticker: { mime: 'image/webp', bytes: () => Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ', 'latin1') },
  video: { mime: 'video/mp4', bytes: () => Buffer.from('000000186674797069736f6d', 'hex') },
  audio: { mime: 'audio/ogg; codecs=opus', bytes: () => Buffer.from('OggS\u0000\u0002', 'latin1') },
  document: { mime: 'application/pdf', bytes: () => Buffer.from('%PDF-1.4\n%simulated\n', 'latin1') },
};

export interface InboundInput {
  type: InboundType;
  content: Record<string, unknown>;
  contextId?: string;
  referral?: Record<string, unknown>;
}

export function customerSend(
  sim: GraphSimulator,
  customer: Customer,
  number: PhoneNumber,
  input: InboundInput,
): Record<string, unknown> {
  const now = sim.clock.now();
  const id = wamid(customer.waId);
  const item: Record<string, unknown> = { from: customer.waId, id, timestamp: sim.clock.unixSeconds(now) };
  const contextId =
    input.contextId ?? (needsContext(input.type) ? lastReceivedFrom(customer, number.id) : undefined);
  if (contextId) item.context = { from: number.digits, id: contextId };
  item.type = input.type;
  const c = input.content;
  switch (input.type) {
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker': {
      const defaults = MEDIA_DEFAULTS[input.type]!;
      const bytes =
        typeof c.data_base64 === 'string' ? Buffer.from(c.data_base64, 'base64') : defaults.bytes();
      const mime = typeof c.mime_type === 'string' ? c.mime_type : defaults.mime;
      const filename = typeof c.filename === 'string' ? c.filename : undefined;
      const media = storeMedia(sim, number.id, bytes, mime.split(';')[0]!, filename);
      const out: Record<string, unknown> = {};
      if (typeof c.caption === 'string') out.caption = c.caption;
      if (filename) out.filename = filename;
      out.mime_type = mime;
      // Webhooks carry the file's SHA-256 base64-encoded; `GET /{media-id}` gives it in hex.
      out.sha256 = Buffer.from(media.sha256, 'hex').toString('base64');
      out.id = media.id;
      if (input.type === 'audio') out.voice = c.voice === true;
      if (input.type === 'sticker') out.animated = c.animated === true;
      item[input.type] = out;
      break;
    }
    case 'contacts':
      item.contacts = Array.isArray(c.contacts) ? c.contacts : [c];
      break;
    case 'unsupported':
      item.errors = [webhookError(131051, 'Message type is currently not supported.')];
      item.unsupported = { type: typeof c.type === 'string' ? c.type : 'unknown' };
      break;
    default:
      item[input.type] = c;
  }
  if (input.referral) {
    item.referral = {
      source_url: 'https://fb.me/sim-ad',
      source_id: '120000000000000',
      source_type: 'ad',
      body: 'Ad body',
      headline: 'Ad headline',
      media_type: 'image',
      image_url: 'https://example.invalid/ad.jpg',
      ctwa_clid: `ARA${id.slice(-20).replace(/[^A-Za-z0-9]/g, '')}`,
      ...input.referral,
    };
    sim.world.lastReferral.set(`${number.id}:${customer.waId}`, now);
  }
  sim.world.lastInbound.set(`${number.id}:${customer.waId}`, now);
  sim.world.inbound.set(id, {
    id,
    phoneNumberId: number.id,
    from: customer.waId,
    type: input.type,
    at: now,
    message: item,
  });
  sim.emit({
    wabaId: number.wabaId,
    field: 'messages',
    number: sim.numberRef(number),
    list: 'messages',
    item,
    contact: contactOf(customer),
  });
  return item;
}

/** `user_preferences`: the user stopped (or resumed) marketing messages from the business in WhatsApp. */
export function setMarketingPreference(
  sim: GraphSimulator,
  customer: Customer,
  number: PhoneNumber,
  value: 'stop' | 'resume',
): Record<string, unknown> {
  const businessId = sim.world.wabaOfNumber(number).businessId;
  if (value === 'stop') customer.marketingStopped.add(businessId);
  else customer.marketingStopped.delete(businessId);
  const item = {
    wa_id: customer.waId,
    detail:
      value === 'stop'
        ? 'User requested to stop marketing messages'
        : 'User requested to resume marketing messages',
    category: 'marketing_messages',
    value,
    timestamp: Math.floor(sim.clock.now() / 1000),
  };
  sim.emit({
    wabaId: number.wabaId,
    field: 'user_preferences',
    number: sim.numberRef(number),
    list: 'user_preferences',
    item,
    contact: contactOf(customer),
  });
  return item;
}

export function contactOf(customer: Customer): WebhookContact {
  const contact: WebhookContact = { profile: { name: customer.name }, wa_id: customer.waId };
  if (customer.userId) contact.user_id = customer.userId;
  return contact;
}

function needsContext(type: InboundType): boolean {
  return type === 'button' || type === 'interactive';
}

function lastReceivedFrom(customer: Customer, phoneNumberId: string): string | undefined {
  for (let i = customer.inbox.length - 1; i >= 0; i -= 1) {
    const m = customer.inbox[i];
    if (m && m.phoneNumberId === phoneNumberId) return m.id;
  }
  return undefined;
}
