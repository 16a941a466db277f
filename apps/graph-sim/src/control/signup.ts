import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GraphSimulator } from '../sim.js';
import { signupCode } from '../state/ids.js';
import { ControlError, found } from './common.js';
import { signupPage } from './signup-page.js';

/**
 * Embedded Signup stand-in. Meta's popup ends by posting a `WA_EMBEDDED_SIGNUP` FINISH event with
 * the chosen assets and handing the page a short-lived code; here a small page does the same, and
 * tests can skip the page and ask for a code directly.
 */
const codeBody = z.object({
  app_id: z.string(),
  business_id: z.string(),
  waba_id: z.string(),
  phone_number_id: z.string().optional(),
});
const completeBody = z.object({
  app_id: z.string(),
  business_id: z.string().optional(),
  business_name: z.string().optional(),
  waba_id: z.string().optional(),
  waba_name: z.string().optional(),
  phone_number_id: z.string().optional(),
  display_phone_number: z.string().optional(),
  verified_name: z.string().optional(),
});

export function registerSignupRoutes(app: FastifyInstance, sim: GraphSimulator): void {
  const w = sim.world;

  app.post('/_sim/signup/code', async (req, reply) => {
    const b = codeBody.parse(req.body ?? {});
    found(w.apps.get(b.app_id), 'app');
    const waba = found(w.wabas.get(b.waba_id), 'waba');
    if (waba.businessId !== b.business_id)
      throw new ControlError(400, 'the WABA belongs to another business');
    if (b.phone_number_id && found(w.numbers.get(b.phone_number_id), 'phone number').wabaId !== waba.id) {
      throw new ControlError(400, 'the phone number belongs to another WABA');
    }
    return reply.code(201).send(issueCode(sim, b.app_id, b.business_id, b.waba_id, b.phone_number_id));
  });

  app.post('/_sim/signup/complete', async (req, reply) => {
    const b = completeBody.parse(req.body ?? {});
    found(w.apps.get(b.app_id), 'app');
    const business = b.business_id
      ? found(w.businesses.get(b.business_id), 'business')
      : w.createBusiness({ name: b.business_name });
    const waba = b.waba_id
      ? found(w.wabas.get(b.waba_id), 'waba')
      : w.createWaba({ businessId: business.id, name: b.waba_name });
    if (waba.businessId !== business.id) throw new ControlError(400, 'the WABA belongs to another business');
    // A number added in signup is not registered yet: the platform must call /register, as with Meta.
    const number = b.phone_number_id
      ? found(w.numbers.get(b.phone_number_id), 'phone number')
      : w.createNumber({
          wabaId: waba.id,
          displayPhoneNumber: b.display_phone_number,
          verifiedName: b.verified_name,
          registered: false,
        });
    if (number.wabaId !== waba.id) throw new ControlError(400, 'the phone number belongs to another WABA');
    return reply.code(201).send(issueCode(sim, b.app_id, business.id, waba.id, number.id));
  });

  const page = async (req: { query: unknown }, reply: { type(t: string): { send(b: string): unknown } }) => {
    const q = req.query as Record<string, string | undefined>;
    const appId = q.app_id ?? q.client_id ?? '';
    const tree = [...w.businesses.values()].map((b) => ({
      id: b.id,
      name: b.name,
      wabas: [...w.wabas.values()]
        .filter((x) => x.businessId === b.id)
        .map((x) => ({
          id: x.id,
          name: x.name,
          numbers: w.numbersOf(x.id).map((n) => ({ id: n.id, display: n.display, name: n.verifiedName })),
        })),
    }));
    return reply.type('text/html; charset=utf-8').send(signupPage({ appId, origin: q.origin ?? '*', tree }));
  };
  app.get('/_sim/signup', page);
  // Where FB.login's popup goes on Meta (`/{version}/dialog/oauth`), so a client can point there unchanged.
  app.get('/dialog/oauth', page);
}

function issueCode(
  sim: GraphSimulator,
  appId: string,
  businessId: string,
  wabaId: string,
  phoneNumberId?: string,
) {
  const code = signupCode();
  const expiresAt = sim.clock.now() + sim.config.oauth.codeTtlMs;
  sim.world.codes.set(code, { code, appId, businessId, wabaId, phoneNumberId, expiresAt, used: false });
  return {
    code,
    expires_at: new Date(expiresAt).toISOString(),
    business_id: businessId,
    waba_id: wabaId,
    phone_number_id: phoneNumberId ?? null,
  };
}
