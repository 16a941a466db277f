import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { phoneNumberJson } from '../graph/accounts.js';
import type { GraphSimulator } from '../sim.js';
import type { PhoneNumber } from '../state/entities.js';
import { found } from './common.js';

/**
 * Control API, part one: building the world. Every id can be chosen by the caller so recorded Meta
 * payloads replay against a matching setup; omitted ids are generated in Meta's style.
 */
const id = z.string().regex(/^[0-9A-Za-z_.-]{1,64}$/);
const quality = z.enum(['GREEN', 'YELLOW', 'RED', 'UNKNOWN']);
const tier = z.enum(['TIER_250', 'TIER_2K', 'TIER_10K', 'TIER_100K', 'TIER_UNLIMITED']);

const appBody = z.object({
  id: id.optional(),
  secret: z.string().min(1).optional(),
  name: z.string().optional(),
  callback_url: z.url().optional(),
  verify_token: z.string().optional(),
});
const businessBody = z.object({ id: id.optional(), name: z.string().optional() });
const wabaBody = z.object({
  id: id.optional(),
  business_id: id,
  name: z.string().optional(),
  currency: z.string().optional(),
  timezone_id: z.string().optional(),
  /** Subscribes these apps right away (what `POST /{waba}/subscribed_apps` does). */
  subscribed_app_ids: z.array(id).optional(),
});
const numberBody = z.object({
  id: id.optional(),
  waba_id: id,
  display_phone_number: z.string().optional(),
  country_code: z
    .string()
    .regex(/^\d{1,3}$/)
    .optional(),
  verified_name: z.string().optional(),
  quality_rating: quality.optional(),
  throughput_level: z.enum(['STANDARD', 'HIGH']).optional(),
  throughput_per_second: z.number().int().positive().optional(),
  messaging_limit_tier: tier.optional(),
  registered: z.boolean().optional(),
  pin: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
});
const numberPatch = numberBody
  .omit({ id: true, waba_id: true, display_phone_number: true, country_code: true })
  .partial();
const customerBody = z.object({
  wa_id: z
    .string()
    .regex(/^\+?\d{4,15}$/)
    .optional(),
  name: z.string().optional(),
  user_id: z.string().optional(),
  delivers: z.boolean().optional(),
  auto_read: z.boolean().optional(),
});
const tokenBody = z.object({
  token: z.string().min(8).optional(),
  app_id: id,
  business_id: id.optional(),
  /** Omit for a token that reaches every WABA (an admin system-user token). */
  waba_ids: z.array(id).optional(),
  expires_in: z.number().int().positive().optional(),
});

export function registerWorldRoutes(app: FastifyInstance, sim: GraphSimulator): void {
  const w = sim.world;

  app.post('/_sim/apps', async (req, reply) => {
    const b = appBody.parse(req.body ?? {});
    const a = w.createApp({
      id: b.id,
      secret: b.secret,
      name: b.name,
      callbackUrl: b.callback_url,
      verifyToken: b.verify_token,
    });
    return reply.code(201).send(appJson(a));
  });
  app.patch<{ Params: { id: string } }>('/_sim/apps/:id', async (req) => {
    const a = found(w.apps.get(req.params.id), 'app');
    const b = appBody
      .omit({ id: true })
      .partial()
      .parse(req.body ?? {});
    if (b.secret) a.secret = b.secret;
    if (b.name) a.name = b.name;
    if (b.callback_url !== undefined) a.callbackUrl = b.callback_url;
    if (b.verify_token !== undefined) a.verifyToken = b.verify_token;
    return appJson(a);
  });
  app.get('/_sim/apps', async () => ({ data: [...w.apps.values()].map(appJson) }));

  app.post('/_sim/businesses', async (req, reply) => {
    const b = businessBody.parse(req.body ?? {});
    return reply.code(201).send(w.createBusiness(b));
  });

  app.post('/_sim/wabas', async (req, reply) => {
    const b = wabaBody.parse(req.body ?? {});
    const waba = w.createWaba({
      id: b.id,
      businessId: b.business_id,
      name: b.name,
      currency: b.currency,
      timezoneId: b.timezone_id,
    });
    for (const appId of b.subscribed_app_ids ?? []) {
      found(w.apps.get(appId), `app ${appId}`);
      waba.subscriptions.set(appId, { appId });
    }
    return reply.code(201).send({
      id: waba.id,
      business_id: waba.businessId,
      name: waba.name,
      subscribed_app_ids: [...waba.subscriptions.keys()],
    });
  });

  app.post('/_sim/phone-numbers', async (req, reply) => {
    const b = numberBody.parse(req.body ?? {});
    const n = w.createNumber({
      id: b.id,
      wabaId: b.waba_id,
      displayPhoneNumber: b.display_phone_number,
      countryCode: b.country_code,
      verifiedName: b.verified_name,
      qualityRating: b.quality_rating,
      throughputLevel: b.throughput_level,
      throughputPerSecond: b.throughput_per_second,
      limitTier: b.messaging_limit_tier,
      registered: b.registered,
      pin: b.pin,
    });
    return reply.code(201).send(numberJson(sim, n));
  });

  /** Changing quality or tier sends `phone_number_quality_update`, as Meta does when it re-rates a number. */
  app.patch<{ Params: { id: string } }>('/_sim/phone-numbers/:id', async (req) => {
    const n = found(w.numbers.get(req.params.id), 'phone number');
    const b = numberPatch.parse(req.body ?? {});
    const before = { quality: n.qualityRating, tier: n.limitTier };
    if (b.verified_name) n.verifiedName = b.verified_name;
    if (b.quality_rating) n.qualityRating = b.quality_rating;
    if (b.throughput_level) n.throughputLevel = b.throughput_level;
    if (b.throughput_per_second !== undefined) n.throughputPerSecond = b.throughput_per_second;
    if (b.messaging_limit_tier) n.limitTier = b.messaging_limit_tier;
    if (b.registered !== undefined) n.registered = b.registered;
    if (b.pin) n.pin = b.pin;
    const event = qualityEvent(before, n);
    if (event) {
      sim.emit({
        wabaId: n.wabaId,
        field: 'phone_number_quality_update',
        time: Math.floor(sim.clock.now() / 1000),
        item: { display_phone_number: n.digits, event, current_limit: n.limitTier },
      });
    }
    return numberJson(sim, n);
  });
  app.get('/_sim/phone-numbers', async () => ({
    data: [...w.numbers.values()].map((n) => numberJson(sim, n)),
  }));

  app.post('/_sim/customers', async (req, reply) => {
    const b = customerBody.parse(req.body ?? {});
    const c = w.createCustomer({
      waId: b.wa_id,
      name: b.name,
      userId: b.user_id,
      delivers: b.delivers,
      autoRead: b.auto_read,
    });
    return reply.code(201).send(customerJson(c));
  });
  app.patch<{ Params: { waId: string } }>('/_sim/customers/:waId', async (req) => {
    const c = found(w.customers.get(req.params.waId), 'customer');
    const b = customerBody
      .omit({ wa_id: true, user_id: true })
      .partial()
      .parse(req.body ?? {});
    if (b.name) c.name = b.name;
    if (b.delivers !== undefined) c.delivers = b.delivers;
    if (b.auto_read !== undefined) c.autoRead = b.auto_read;
    return customerJson(c);
  });
  app.get('/_sim/customers', async () => ({ data: [...w.customers.values()].map(customerJson) }));

  app.post('/_sim/tokens', async (req, reply) => {
    const b = tokenBody.parse(req.body ?? {});
    found(w.apps.get(b.app_id), 'app');
    const now = sim.clock.now();
    const t = w.createToken({
      token: b.token,
      appId: b.app_id,
      businessId: b.business_id,
      wabaIds: b.waba_ids,
      expiresAt: b.expires_in ? now + b.expires_in * 1000 : undefined,
      now,
    });
    return reply.code(201).send({ access_token: t.token, token_type: 'bearer', waba_ids: t.wabaIds ?? null });
  });
}

function appJson(a: {
  id: string;
  secret: string;
  name: string;
  callbackUrl?: string;
  verifyToken?: string;
}) {
  return {
    id: a.id,
    secret: a.secret,
    name: a.name,
    callback_url: a.callbackUrl ?? null,
    verify_token: a.verifyToken ?? null,
  };
}

function numberJson(sim: GraphSimulator, n: PhoneNumber) {
  return {
    ...phoneNumberJson(n),
    waba_id: n.wabaId,
    throughput_per_second: sim.limits.ratePerSecond(n),
  };
}

export function customerJson(c: {
  waId: string;
  name: string;
  userId?: string;
  delivers: boolean;
  autoRead: boolean;
  marketingStopped: Set<string>;
}) {
  return {
    wa_id: c.waId,
    name: c.name,
    user_id: c.userId ?? null,
    delivers: c.delivers,
    auto_read: c.autoRead,
    marketing_stopped_for: [...c.marketingStopped],
  };
}

const TIER_RANK = ['TIER_250', 'TIER_2K', 'TIER_10K', 'TIER_100K', 'TIER_UNLIMITED'];
function qualityEvent(before: { quality: string; tier: string }, n: PhoneNumber): string | undefined {
  const diff = TIER_RANK.indexOf(n.limitTier) - TIER_RANK.indexOf(before.tier);
  if (diff > 0) return 'UPGRADE';
  if (diff < 0) return 'DOWNGRADE';
  if (before.quality !== n.qualityRating)
    return n.qualityRating === 'RED' ? 'FLAGGED' : before.quality === 'RED' ? 'UNFLAGGED' : undefined;
  return undefined;
}
