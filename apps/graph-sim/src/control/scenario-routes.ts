import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { setTemplateStatus, templateJson } from '../graph/templates.js';
import { customerSend, INBOUND_TYPES, setMarketingPreference } from '../inbound.js';
import { customerReads, emitSystemError } from '../outbound.js';
import type { GraphSimulator } from '../sim.js';
import { ControlError, found } from './common.js';

/**
 * Control API, part two: driving scenarios. Customers write, read and opt out; faults are injected;
 * the clock moves; webhook deliveries and what each customer received can be inspected.
 */
const sendBody = z
  .object({
    phone_number_id: z.string(),
    type: z.enum(INBOUND_TYPES),
    context: z.object({ message_id: z.string() }).optional(),
    referral: z.record(z.string(), z.unknown()).optional(),
  })
  .catchall(z.unknown());
/** Meta's example of a `value.errors` webhook uses 130429; 131000 ("Something went wrong") is as common. */
const systemErrorBody = z.object({
  code: z.number().int().default(131000),
  details: z.string().optional(),
});
const readBody = z.object({ phone_number_id: z.string().optional() });
const prefBody = z.object({ phone_number_id: z.string(), value: z.enum(['stop', 'resume']) });
const clockBody = z.object({
  ms: z.number().int().min(0).optional(),
  seconds: z.number().min(0).optional(),
  hours: z.number().min(0).optional(),
});
const templateStatusBody = z.object({
  status: z.enum(['APPROVED', 'REJECTED', 'PAUSED', 'DISABLED', 'IN_APPEAL', 'ARCHIVED', 'PENDING']),
  reason: z.string().optional(),
  /** For a PENDING template: decide the review outcome but let the review delay run its course. */
  at_review: z.boolean().optional(),
});

export function registerScenarioRoutes(app: FastifyInstance, sim: GraphSimulator): void {
  const w = sim.world;

  app.post<{ Params: { waId: string } }>('/_sim/customers/:waId/send', async (req, reply) => {
    const customer = found(w.customers.get(req.params.waId), 'customer');
    const b = sendBody.parse(req.body ?? {});
    const number = found(w.numbers.get(b.phone_number_id), 'phone number');
    const raw = b[b.type];
    const content =
      typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    if (b.type === 'contacts' && Array.isArray(raw)) content.contacts = raw;
    if (b.type === 'text' && typeof content.body !== 'string')
      throw new ControlError(400, 'text.body is required');
    const message = customerSend(sim, customer, number, {
      type: b.type,
      content,
      contextId: b.context?.message_id,
      referral: b.referral,
    });
    return reply.code(201).send({ message });
  });

  app.post<{ Params: { waId: string } }>('/_sim/customers/:waId/read', async (req) => {
    const customer = found(w.customers.get(req.params.waId), 'customer');
    const b = readBody.parse(req.body ?? {});
    return { read: customerReads(sim, customer, b.phone_number_id) };
  });

  app.post<{ Params: { waId: string } }>('/_sim/customers/:waId/preferences', async (req) => {
    const customer = found(w.customers.get(req.params.waId), 'customer');
    const b = prefBody.parse(req.body ?? {});
    const number = found(w.numbers.get(b.phone_number_id), 'phone number');
    return { user_preference: setMarketingPreference(sim, customer, number, b.value) };
  });

  /** What the customer's phone shows: messages received, and whether the business read theirs. */
  app.get<{ Params: { waId: string } }>('/_sim/customers/:waId/messages', async (req) => {
    const customer = found(w.customers.get(req.params.waId), 'customer');
    const now = sim.clock.now();
    const sentByCustomer = [...w.inbound.values()]
      .filter((m) => m.from === customer.waId)
      .map((m) => ({
        id: m.id,
        phone_number_id: m.phoneNumberId,
        type: m.type,
        sent_at: new Date(m.at).toISOString(),
        [m.type]: m.message[m.type],
        read_by_business: m.readAt !== undefined,
        typing: m.typingUntil !== undefined && m.typingUntil > now,
      }));
    return {
      received: customer.inbox.map((m) => ({
        id: m.id,
        phone_number_id: m.phoneNumberId,
        type: m.type,
        status: m.status,
        received_at: new Date(m.receivedAt).toISOString(),
        [m.type]: m.content,
      })),
      sent: sentByCustomer,
    };
  });

  app.get('/_sim/messages', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = Math.min(Number(q.limit ?? 100) || 100, 10_000);
    const list = [...w.sent.values()]
      .filter(
        (m) => (!q.phone_number_id || m.phoneNumberId === q.phone_number_id) && (!q.to || m.to === q.to),
      )
      .slice(-limit)
      .map((m) => ({
        id: m.id,
        phone_number_id: m.phoneNumberId,
        to: m.to,
        type: m.type,
        category: m.category,
        status: m.status,
        created_at: new Date(m.createdAt).toISOString(),
        body: m.body,
      }));
    return { data: list, total: w.sent.size };
  });

  app.post<{ Params: { id: string } }>('/_sim/phone-numbers/:id/errors', async (req, reply) => {
    const number = found(w.numbers.get(req.params.id), 'phone number');
    const b = systemErrorBody.parse(req.body ?? {});
    return reply.code(201).send({ error: emitSystemError(sim, number, b.code, b.details) });
  });

  app.post('/_sim/faults', async (req, reply) => reply.code(201).send(sim.faults.add(req.body)));
  app.get('/_sim/faults', async () => ({ data: sim.faults.all() }));
  app.delete('/_sim/faults', async () => {
    sim.faults.reset();
    return { success: true };
  });
  app.delete<{ Params: { id: string } }>('/_sim/faults/:id', async (req) => {
    if (!sim.faults.remove(req.params.id)) throw new ControlError(404, 'fault not found');
    return { success: true };
  });

  app.get('/_sim/clock', async () => clockJson(sim));
  app.post('/_sim/clock/advance', async (req) => {
    const b = clockBody.parse(req.body ?? {});
    const ms = (b.ms ?? 0) + (b.seconds ?? 0) * 1000 + (b.hours ?? 0) * 3600_000;
    sim.clock.advance(Math.round(ms));
    return clockJson(sim);
  });

  app.post('/_sim/clock/freeze', async (req) => {
    const b = z.object({ frozen: z.boolean().default(true) }).parse(req.body ?? {});
    sim.clock.freeze(b.frozen);
    return clockJson(sim);
  });

  app.get('/_sim/config', async () => sim.config);
  app.patch('/_sim/config', async (req) => sim.patchConfig(req.body ?? {}));

  app.post('/_sim/reset', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    sim.reset({ keepConfig: q.keep_config === 'true' });
    return { success: true };
  });

  app.get('/_sim/webhooks/deliveries', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const entries = sim.deliverer.entries().filter((e) => !q.outcome || e.outcome === q.outcome);
    return { data: entries, stats: sim.deliverer.stats() };
  });
  app.get<{ Params: { id: string } }>('/_sim/webhooks/deliveries/:id/body', async (req, reply) => {
    const body = sim.deliverer.body(req.params.id);
    if (body === undefined) throw new ControlError(404, 'delivery not found');
    return reply.type('application/json').send(body);
  });
  app.post('/_sim/webhooks/flush', async () => {
    sim.deliverer.flush();
    return { success: true, stats: sim.deliverer.stats() };
  });

  app.post<{ Params: { id: string } }>('/_sim/templates/:id/status', async (req) => {
    const t = found(w.templates.get(req.params.id), 'template');
    const b = templateStatusBody.parse(req.body ?? {});
    if (b.at_review) {
      if (t.status !== 'PENDING') throw new ControlError(409, 'the template is no longer pending review');
      t.forcedOutcome = { status: b.status, reason: b.reason };
    } else {
      setTemplateStatus(
        sim,
        t,
        b.status,
        b.reason ?? (b.status === 'REJECTED' ? sim.config.templates.rejectionReason : 'NONE'),
      );
    }
    return templateJson(t);
  });
}

function clockJson(sim: GraphSimulator) {
  const now = sim.clock.now();
  return {
    now: new Date(now).toISOString(),
    now_ms: now,
    offset_ms: sim.clock.offset,
    frozen: sim.clock.frozen,
    pending_timers: sim.clock.pending,
  };
}
