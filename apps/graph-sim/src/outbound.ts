import { createHash } from 'node:crypto';
import { webhookError } from './errors.js';
import type { GraphSimulator } from './sim.js';
import type { Customer, MessageStatus, PhoneNumber, SentMessage } from './state/entities.js';

/**
 * What happens to a message after Meta accepted it: `sent`, `delivered` and `read` statuses (or one
 * `failed` status) arrive later as webhooks. The outcome is decided at accept time; the statuses are
 * scheduled on the simulated clock so the send's HTTP response never waits for them.
 */
export interface Outcome {
  failCode?: number;
  failDetails?: string;
  /** Reactions only ever get a `sent` status. */
  sentOnly?: boolean;
}

const RANK: Record<MessageStatus, number> = { accepted: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

export function scheduleStatuses(sim: GraphSimulator, msg: SentMessage, outcome: Outcome): void {
  const s = sim.config.statuses;
  const number = sim.world.numbers.get(msg.phoneNumberId);
  if (!number) return;
  if (outcome.failCode !== undefined) {
    const code = outcome.failCode;
    sim.clock.schedule(s.sentDelayMs, () =>
      emitStatus(sim, number, msg, 'failed', { code, details: outcome.failDetails }),
    );
    return;
  }
  const customer = sim.world.customers.get(msg.to);
  const plan: MessageStatus[] = ['sent'];
  if (!outcome.sentOnly && customer?.delivers) {
    plan.push('delivered');
    if (customer.autoRead) plan.push('read');
  }
  const delays = [s.sentDelayMs, s.deliveredDelayMs, s.readDelayMs];
  // Out of order: the same statuses, emitted latest-first, as Meta may when its queues reorder.
  const order = plan.length > 1 && sim.random() < s.outOfOrderRate ? [...plan].reverse() : plan;
  order.forEach((status, i) => {
    sim.clock.schedule(delays[i] ?? s.readDelayMs, () => emitStatus(sim, number, msg, status));
  });
}

/** Customer reads what was delivered from a number (control API). Returns the ids marked read. */
export function customerReads(sim: GraphSimulator, customer: Customer, phoneNumberId?: string): string[] {
  const read: string[] = [];
  for (const received of customer.inbox) {
    if (phoneNumberId && received.phoneNumberId !== phoneNumberId) continue;
    if (received.status !== 'sent' && received.status !== 'delivered') continue;
    const msg = sim.world.sent.get(received.id);
    const number = sim.world.numbers.get(received.phoneNumberId);
    if (!msg || !number || msg.type === 'reaction') continue;
    emitStatus(sim, number, msg, 'read');
    read.push(received.id);
  }
  return read;
}

function emitStatus(
  sim: GraphSimulator,
  number: PhoneNumber,
  msg: SentMessage,
  status: MessageStatus,
  failure?: { code: number; details?: string },
): void {
  // No check that the message is still stored: a reset drops pending timers, and eviction of old
  // records (maxStoredMessages) must not swallow statuses still due.
  const now = sim.clock.now();
  // The record only moves forward, but the webhook is still sent: out-of-order delivery is the point.
  if (RANK[status] > RANK[msg.status]) msg.status = status;
  if (msg.received && RANK[status] > RANK[msg.received.status]) msg.received.status = status;
  const item: Record<string, unknown> = {
    id: msg.id,
    status,
    timestamp: sim.clock.unixSeconds(now),
    recipient_id: msg.to,
  };
  if (msg.bizOpaque !== undefined) item.biz_opaque_callback_data = msg.bizOpaque;
  if (failure) {
    item.errors = [webhookError(failure.code, failure.details)];
  } else if (carriesPricing(msg, status)) {
    Object.assign(item, pricingOf(sim, msg, status));
  }
  sim.emit({
    wabaId: number.wabaId,
    field: 'messages',
    number: sim.numberRef(number),
    list: 'statuses',
    item,
  });
}

/**
 * Meta's status reference: `pricing` (and `conversation`) come "only with sent status, and one of either
 * delivered or read status". The first of delivered/read to go out takes it, so a read that follows a
 * delivered comes bare, and a read that arrives first (out of order, or with no delivered at all) is priced.
 */
function carriesPricing(msg: SentMessage, status: MessageStatus): boolean {
  if (status === 'sent') return true;
  if (status !== 'delivered' && status !== 'read') return false;
  if (msg.finalPricingSent) return false;
  msg.finalPricingSent = true;
  return true;
}

/** `pricing` (and `conversation` where configured) as Meta counts the message. */
function pricingOf(sim: GraphSimulator, msg: SentMessage, status: MessageStatus): Record<string, unknown> {
  const s = sim.config.statuses;
  const fep = sim.inFreeEntryPoint(msg.phoneNumberId, msg.to, msg.createdAt);
  const inWindow = sim.inWindow(msg.phoneNumberId, msg.to, msg.createdAt);
  let billable: boolean;
  let type: 'regular' | 'free_customer_service' | 'free_entry_point';
  if (fep) {
    billable = false;
    type = 'free_entry_point';
  } else if (msg.category === 'service') {
    billable = s.serviceBillable;
    type = s.serviceBillable ? 'regular' : 'free_customer_service';
  } else if (msg.category === 'utility' && inWindow) {
    billable = false;
    type = 'free_customer_service';
  } else {
    billable = true;
    type = 'regular';
  }
  const out: Record<string, unknown> = {};
  const wantConversation =
    s.pricingModel === 'CBP' ||
    s.conversationObject === 'always' ||
    (s.conversationObject === 'free_entry_point' && fep);
  if (wantConversation) {
    const origin = fep ? 'referral_conversion' : msg.category;
    const conversation: Record<string, unknown> = { id: conversationId(sim, msg, origin, fep) };
    if (status === 'sent') {
      const lifetime = fep ? sim.config.freeEntryPointWindowMs : sim.config.windowMs;
      conversation.expiration_timestamp = sim.clock.unixSeconds(msg.createdAt + lifetime);
    }
    conversation.origin = { type: origin };
    out.conversation = conversation;
  }
  out.pricing =
    s.pricingModel === 'PMP'
      ? { billable, pricing_model: 'PMP', type, category: msg.category }
      : { billable, pricing_model: 'CBP', category: fep ? 'referral_conversion' : msg.category };
  return out;
}

/**
 * Under conversation-based pricing one id per 24 h conversation and category. Under per-message pricing
 * Meta made it unique per message, except inside a free entry point window, where it is one per window.
 */
function conversationId(sim: GraphSimulator, msg: SentMessage, origin: string, fep: boolean): string {
  const pair = `${msg.phoneNumberId}:${msg.to}`;
  let seed: string;
  if (sim.config.statuses.pricingModel === 'CBP') seed = `${pair}:${origin}`;
  else if (fep) seed = `${pair}:fep:${sim.world.lastReferral.get(pair) ?? 0}`;
  else seed = `message:${msg.id}`;
  return createHash('md5').update(seed).digest('hex');
}

/**
 * An error Meta reports at `entry[].changes[].value.errors`, tied to no message: a system-, app- or
 * account-level problem that kept a request from being processed (errors messages webhook reference).
 * Signed and delivered like every other `messages` webhook.
 */
export function emitSystemError(
  sim: GraphSimulator,
  number: PhoneNumber,
  code: number,
  details?: string,
): Record<string, unknown> {
  const item = webhookError(code, details);
  sim.emit({ wabaId: number.wabaId, field: 'messages', number: sim.numberRef(number), list: 'errors', item });
  return item;
}
