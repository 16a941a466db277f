import type { FastifyInstance } from 'fastify';
import { GraphError, invalidParam } from '../errors.js';
import type { GraphSimulator } from '../sim.js';
import type { PhoneNumber, Waba } from '../state/entities.js';
import { authenticate, requireNumber, requireWaba } from './auth.js';
import { verifyCallback } from './oauth.js';

/** WABA and phone-number endpoints: webhook subscription, registration, number listing and details. */
export function registerAccountRoutes(app: FastifyInstance, sim: GraphSimulator): void {
  app.post<{ Params: { id: string } }>('/:id/subscribed_apps', async (req) => {
    const token = authenticate(sim, req);
    const waba = requireWaba(sim, token, req.params.id, 'POST');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const override = typeof body.override_callback_uri === 'string' ? body.override_callback_uri : undefined;
    const verifyToken = typeof body.verify_token === 'string' ? body.verify_token : undefined;
    if (override) {
      if (!verifyToken) throw invalidParam('Param verify_token is required with override_callback_uri.');
      await verifyCallback(override, verifyToken);
    }
    waba.subscriptions.set(token.appId, { appId: token.appId, overrideCallbackUrl: override, verifyToken });
    return { success: true };
  });

  app.get<{ Params: { id: string } }>('/:id/subscribed_apps', async (req) => {
    const token = authenticate(sim, req);
    const waba = requireWaba(sim, token, req.params.id, 'GET');
    const data = [...waba.subscriptions.values()].map((s) => {
      const a = sim.world.apps.get(s.appId);
      const item: Record<string, unknown> = {
        whatsapp_business_api_data: {
          id: s.appId,
          link: `https://www.facebook.com/games/?app_id=${s.appId}`,
          name: a?.name ?? '',
        },
      };
      if (s.overrideCallbackUrl) item.override_callback_uri = s.overrideCallbackUrl;
      return item;
    });
    return { data };
  });

  app.delete<{ Params: { id: string } }>('/:id/subscribed_apps', async (req) => {
    const token = authenticate(sim, req);
    const waba = requireWaba(sim, token, req.params.id, 'DELETE');
    waba.subscriptions.delete(token.appId);
    return { success: true };
  });

  app.get<{ Params: { id: string } }>('/:id/phone_numbers', async (req) => {
    const token = authenticate(sim, req);
    const waba = requireWaba(sim, token, req.params.id, 'GET');
    const fields = fieldsOf(req.query);
    const data = sim.world.numbersOf(waba.id).map((n) => pick(phoneNumberJson(n), fields));
    const first = data[0]?.id;
    const last = data[data.length - 1]?.id;
    return {
      data,
      paging: { cursors: { before: cursor(String(first ?? '')), after: cursor(String(last ?? '')) } },
    };
  });

  app.post<{ Params: { id: string } }>('/:id/register', async (req) => {
    const token = authenticate(sim, req);
    const number = requireNumber(sim, token, req.params.id, 'POST');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.messaging_product !== 'whatsapp')
      throw invalidParam('The parameter messaging_product is required.');
    const pin = typeof body.pin === 'number' ? String(body.pin) : body.pin;
    if (typeof pin !== 'string' || !/^\d{6}$/.test(pin)) {
      throw new GraphError({ code: 100, details: 'Param pin must be a 6-digit number.' });
    }
    countRegisterCall(sim, number);
    if (number.pin && number.pin !== pin) {
      throw new GraphError({
        code: 133005,
        details: 'The PIN does not match the two-step verification PIN of this number.',
      });
    }
    number.pin = pin;
    number.registered = true;
    return { success: true };
  });

  app.post<{ Params: { id: string } }>('/:id/deregister', async (req) => {
    const token = authenticate(sim, req);
    const number = requireNumber(sim, token, req.params.id, 'POST');
    countRegisterCall(sim, number);
    number.registered = false;
    return { success: true };
  });
}

/** Register and deregister share one budget: 10 calls per number per 72 hours (133016 past it). */
function countRegisterCall(sim: GraphSimulator, number: PhoneNumber): void {
  const { maxCalls, periodMs } = sim.config.register;
  const now = sim.clock.now();
  number.registerCalls = number.registerCalls.filter((t) => now - t < periodMs);
  if (number.registerCalls.length >= maxCalls) {
    throw new GraphError({
      code: 133016,
      details: `A number may be registered or deregistered ${maxCalls} times in ${periodMs / 3600_000} hours.`,
    });
  }
  number.registerCalls.push(now);
}

export function phoneNumberJson(n: PhoneNumber): Record<string, unknown> {
  return {
    verified_name: n.verifiedName,
    code_verification_status: n.codeVerificationStatus,
    display_phone_number: n.display,
    quality_rating: n.qualityRating,
    platform_type: n.registered ? 'CLOUD_API' : 'NOT_APPLICABLE',
    throughput: { level: n.registered ? n.throughputLevel : 'NOT_APPLICABLE' },
    whatsapp_business_manager_messaging_limit: n.limitTier,
    messaging_limit_tier: n.limitTier,
    name_status: n.nameStatus,
    status: n.registered ? 'CONNECTED' : 'PENDING',
    account_mode: 'LIVE',
    is_official_business_account: false,
    id: n.id,
  };
}

export function wabaJson(sim: GraphSimulator, w: Waba): Record<string, unknown> {
  const business = sim.world.businesses.get(w.businessId);
  return {
    id: w.id,
    name: w.name,
    currency: w.currency,
    timezone_id: w.timezoneId,
    message_template_namespace: w.namespace,
    account_review_status: 'APPROVED',
    owner_business_info: { id: w.businessId, name: business?.name ?? '' },
  };
}

/** Graph's `fields=a,b{c}` selection, top level only; `id` always comes back. */
export function fieldsOf(query: unknown): string[] | undefined {
  const raw = (query as Record<string, unknown> | undefined)?.fields;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  return raw
    .replace(/\{[^}]*\}/g, '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}

export function pick<T extends Record<string, unknown>>(obj: T, fields: string[] | undefined): T {
  if (!fields) return obj;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in obj) out[f] = obj[f];
  if ('id' in obj) out.id = obj.id;
  return out as T;
}

export function cursor(value: string): string {
  return Buffer.from(value).toString('base64url');
}

export function uncursor(value: string): string {
  return Buffer.from(value, 'base64url').toString();
}
