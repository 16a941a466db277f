import type { FastifyInstance } from 'fastify';
import { GraphError, invalidParam, titleOf } from '../errors.js';
import { type Outcome, scheduleStatuses } from '../outbound.js';
import type { GraphSimulator } from '../sim.js';
import type { Customer, PhoneNumber, PricingCategory, SentMessage } from '../state/entities.js';
import { wamid } from '../state/ids.js';
import { authenticate, requireNumber } from './auth.js';
import { resolveTemplate } from './template-send.js';
import { type Body, isObject, MEDIA_TYPES, validateMessage } from './validate-message.js';

/**
 * `POST /{phone-number-id}/messages`: sends, mark-as-read (with typing indicator). Errors Meta gives
 * synchronously are thrown here; the ones it reports later (131047 outside the window, 131026 unknown
 * recipient, 131050 stopped marketing) become a `failed` status after the request was accepted.
 */
export function registerMessageRoutes(app: FastifyInstance, sim: GraphSimulator): void {
  app.post<{ Params: { id: string } }>('/:id/messages', async (req) => {
    const token = authenticate(sim, req);
    const number = requireNumber(sim, token, req.params.id, 'POST');
    if (!isObject(req.body)) throw invalidParam('The request body must be a JSON object.');
    const body = req.body;
    if (!sim.faults.empty) {
      const fault = sim.faults.take(
        'send-error',
        (f) => !f.phone_number_id || f.phone_number_id === number.id,
      );
      if (fault) {
        throw new GraphError({
          code: fault.code,
          details: fault.details,
          subcode: fault.subcode,
          httpStatus: fault.http_status,
        });
      }
    }
    if (body.status === 'read') return markRead(sim, number, body);
    return send(sim, number, body);
  });
}

function markRead(sim: GraphSimulator, number: PhoneNumber, body: Body): { success: true } {
  if (body.messaging_product !== 'whatsapp') {
    throw invalidParam('The parameter messaging_product is required and must be whatsapp.');
  }
  const id = body.message_id;
  if (typeof id !== 'string')
    throw new GraphError({ code: 131008, details: 'The parameter message_id is required.' });
  const inbound = sim.world.inbound.get(id);
  if (!inbound || inbound.phoneNumberId !== number.id) {
    throw new GraphError({
      code: 100,
      details: `Invalid message_id: ${id} is not a message received by this number.`,
    });
  }
  const typing = body.typing_indicator;
  if (typing !== undefined && (!isObject(typing) || typing.type !== 'text')) {
    throw invalidParam("Param typing_indicator['type'] must be text.");
  }
  const now = sim.clock.now();
  // Marking one message read marks every earlier one in the chat, as on the phone.
  for (const rec of sim.world.inbound.values()) {
    if (
      rec.phoneNumberId === number.id &&
      rec.from === inbound.from &&
      rec.at <= inbound.at &&
      rec.readAt === undefined
    ) {
      rec.readAt = now;
    }
  }
  if (typing) inbound.typingUntil = now + 25_000;
  return { success: true };
}

function normaliseTo(sim: GraphSimulator, number: PhoneNumber, input: string): string {
  const digits = input.replace(/[\s\-().]/g, '');
  const hadPlus = digits.startsWith('+');
  const bare = hadPlus ? digits.slice(1) : digits;
  if (!/^\d{4,15}$/.test(bare)) throw invalidParam(`Param to must be a valid phone number - got '${input}'.`);
  if (!hadPlus && sim.config.missingPlus === 'prefix-country-code') return number.countryCode + bare;
  return bare;
}

function send(sim: GraphSimulator, number: PhoneNumber, body: Body): Record<string, unknown> {
  const fields = validateMessage(body);
  if (!number.registered) {
    throw new GraphError({ code: 133010, details: 'The phone number is not registered on the Cloud API.' });
  }
  const world = sim.world;
  let customer: Customer | undefined;
  let waId: string;
  if (fields.to) {
    waId = normaliseTo(sim, number, fields.to);
    customer = world.customers.get(waId);
  } else {
    customer = world.customersByUserId.get(fields.recipient as string);
    if (!customer) throw invalidParam(`Param recipient is not a known business-scoped user id.`);
    waId = customer.waId;
  }
  if (waId === number.digits)
    throw new GraphError({ code: 131021, details: 'Recipient cannot be the sender.' });

  const waba = world.wabaOfNumber(number);
  let category: PricingCategory = 'service';
  if (fields.type === 'template') category = resolveTemplate(world, waba.id, fields.content).category;
  else if (fields.type in MEDIA_BY_TYPE) checkMediaId(sim, fields.type, fields.content);

  const now = sim.clock.now();
  if (sim.config.limitsEnabled) {
    if (!sim.limits.takeThroughput(number, now)) {
      throw new GraphError({
        code: 130429,
        httpStatus: sim.config.throttleHttpStatus,
        details: `Cloud API message throughput (${sim.limits.ratePerSecond(number)}/s) has been reached.`,
      });
    }
    if (!sim.limits.takePair(number.id, waId, now)) {
      throw new GraphError({
        code: 131056,
        subcode: 2494055,
        httpStatus: sim.config.throttleHttpStatus,
        details:
          'Too many messages sent from this phone number to the same recipient in a short period of time.',
      });
    }
  }
  if (!customer && sim.config.unknownRecipients === 'auto-create') customer = world.createCustomer({ waId });

  const msg: SentMessage = {
    id: wamid(waId),
    phoneNumberId: number.id,
    wabaId: waba.id,
    to: waId,
    type: fields.type,
    body,
    category,
    status: 'accepted',
    createdAt: now,
    bizOpaque: fields.bizOpaque,
  };
  const outcome = decide(sim, number, waba.businessId, msg, customer);
  world.sent.set(msg.id, msg);
  if (world.sent.size > sim.config.maxStoredMessages) {
    // Maps iterate in insertion order, so the first key is the oldest message.
    const oldest = world.sent.keys().next().value;
    if (oldest !== undefined) world.sent.delete(oldest);
  }
  if (customer && outcome.failCode === undefined) {
    msg.received = {
      id: msg.id,
      phoneNumberId: number.id,
      type: fields.type,
      content: fields.content,
      status: 'accepted',
      receivedAt: now,
    };
    if (fields.contextId)
      msg.received.content = { ...fields.content, context: { message_id: fields.contextId } };
    customer.inbox.push(msg.received);
    // Trimmed in halves so the cost stays amortised when one customer gets a flood of messages.
    const cap = sim.config.maxInboxPerCustomer;
    if (customer.inbox.length > cap * 2) customer.inbox.splice(0, customer.inbox.length - cap);
  }
  scheduleStatuses(sim, msg, outcome);

  const contact: Record<string, string> = { input: fields.to ?? (fields.recipient as string) };
  if (fields.to) contact.wa_id = waId;
  else if (customer?.userId) contact.user_id = customer.userId;
  const message: Record<string, string> = { id: msg.id };
  if (fields.type === 'template') message.message_status = 'accepted';
  return { messaging_product: 'whatsapp', contacts: [contact], messages: [message] };
}

const MEDIA_BY_TYPE: Record<string, true> = Object.fromEntries(MEDIA_TYPES.map((t) => [t, true]));

function checkMediaId(sim: GraphSimulator, type: string, content: Body): void {
  const id = content.id;
  if (typeof id === 'string' && !sim.world.media.has(id)) {
    throw invalidParam(`Param ${type}['id'] is not a valid whatsapp business account media attachment ID.`);
  }
}

/** The accepted message's fate, decided now and reported later as statuses. */
function decide(
  sim: GraphSimulator,
  number: PhoneNumber,
  businessId: string,
  msg: SentMessage,
  customer: Customer | undefined,
): Outcome {
  if (!sim.faults.empty) {
    const fault = sim.faults.take(
      'failed-status',
      (f) => !f.phone_number_id || f.phone_number_id === number.id,
    );
    if (fault) return { failCode: fault.code, failDetails: fault.details };
  }
  if (!customer) {
    return {
      failCode: 131026,
      failDetails: 'The recipient is not a WhatsApp user or cannot receive this message.',
    };
  }
  const inWindow = sim.inWindow(number.id, customer.waId, msg.createdAt);
  if (msg.type !== 'template' && !inWindow) {
    return {
      failCode: 131047,
      failDetails:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    };
  }
  if (msg.category === 'marketing' && customer.marketingStopped.has(businessId)) {
    return { failCode: 131050, failDetails: titleOf(131050) };
  }
  if (sim.config.limitsEnabled && msg.type === 'template' && !inWindow) {
    if (!sim.limits.takeTier(businessId, number, customer.waId, msg.createdAt, 24 * 3600_000)) {
      return {
        failCode: sim.config.tierLimitErrorCode,
        failDetails: `The messaging limit (${number.limitTier}) of unique users in 24 hours has been reached.`,
      };
    }
  }
  return { sentOnly: msg.type === 'reaction' };
}
