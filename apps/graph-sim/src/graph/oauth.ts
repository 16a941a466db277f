import type { FastifyInstance } from 'fastify';
import { GraphError, invalidParam, unsupportedRequest } from '../errors.js';
import type { GraphSimulator } from '../sim.js';
import type { Token } from '../state/entities.js';
import { appTokenOf, authenticate } from './auth.js';

/**
 * Embedded Signup's server side: exchanging the single-use, short-lived code for a business token,
 * inspecting tokens with `debug_token` (granular scopes name the WABAs), and the app-level webhook
 * subscription, whose callback Meta verifies with a `hub.challenge` GET before accepting it.
 */
export function registerOAuthRoutes(app: FastifyInstance, sim: GraphSimulator): void {
  app.get('/oauth/access_token', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    if (!q.client_id) throw new GraphError({ code: 101, message: 'Missing client_id parameter.' });
    const application = sim.world.apps.get(q.client_id);
    if (!application)
      throw new GraphError({ code: 101, message: 'Error validating application. Invalid application ID.' });
    if (q.client_secret !== application.secret)
      throw new GraphError({ code: 1, message: 'Error validating client secret.', httpStatus: 400 });
    if (q.grant_type === 'client_credentials') {
      return { access_token: `${application.id}|${application.secret}`, token_type: 'bearer' };
    }
    if (q.grant_type === 'fb_exchange_token') {
      const existing = q.fb_exchange_token ? sim.world.tokens.get(q.fb_exchange_token) : undefined;
      if (!existing || existing.appId !== application.id) throw new GraphError({ code: 190 });
      return { access_token: existing.token, token_type: 'bearer' };
    }
    if (!q.code)
      throw new GraphError({
        code: 100,
        message: 'Missing code parameter.',
        subcode: 36006,
        graphLevel: true,
      });
    const code = sim.world.codes.get(q.code);
    if (!code || code.appId !== application.id) {
      throw new GraphError({
        code: 100,
        subcode: 36007,
        graphLevel: true,
        message: 'Invalid verification code format.',
      });
    }
    if (code.used)
      throw new GraphError({
        code: 100,
        subcode: 36009,
        graphLevel: true,
        message: 'This authorization code has been used.',
      });
    if (code.expiresAt <= sim.clock.now()) {
      throw new GraphError({
        code: 100,
        subcode: 36007,
        graphLevel: true,
        message: 'This authorization code has expired.',
      });
    }
    code.used = true;
    const token = sim.world.createToken({
      appId: application.id,
      kind: 'SYSTEM_USER',
      businessId: code.businessId,
      wabaIds: [code.wabaId],
      now: sim.clock.now(),
    });
    return { access_token: token.token, token_type: 'bearer' };
  });

  app.get('/debug_token', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const caller = authenticate(sim, req);
    if (!q.input_token) throw invalidParam('The parameter input_token is required');
    let inspected: Token | undefined;
    try {
      inspected = appTokenOf(sim, q.input_token) ?? sim.world.tokens.get(q.input_token);
    } catch {
      inspected = undefined;
    }
    const now = sim.clock.now();
    if (!inspected || inspected.appId !== caller.appId) {
      return {
        data: {
          error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
          is_valid: false,
          scopes: [],
        },
      };
    }
    const application = sim.world.apps.get(inspected.appId);
    const expired = inspected.expiresAt !== undefined && inspected.expiresAt <= now;
    const data: Record<string, unknown> = {
      app_id: inspected.appId,
      type: inspected.kind,
      application: application?.name ?? '',
      data_access_expires_at: 0,
      expires_at: inspected.expiresAt === undefined ? 0 : Math.floor(inspected.expiresAt / 1000),
      is_valid: !expired,
      issued_at: Math.floor(inspected.issuedAt / 1000),
    };
    if (inspected.kind !== 'APP') {
      const granular: Record<string, unknown>[] = [];
      for (const scope of ['whatsapp_business_management', 'whatsapp_business_messaging']) {
        // No target_ids means the permission covers every asset, as Graph reports it.
        granular.push(inspected.wabaIds ? { scope, target_ids: [...inspected.wabaIds] } : { scope });
      }
      if (inspected.businessId)
        granular.push({ scope: 'business_management', target_ids: [inspected.businessId] });
      data.scopes = [...granular.map((g) => g.scope), 'public_profile'];
      data.granular_scopes = granular;
      data.user_id = inspected.userId;
    }
    return { data };
  });

  app.post<{ Params: { id: string } }>('/:id/subscriptions', async (req) => {
    const caller = authenticate(sim, req);
    const application = sim.world.apps.get(req.params.id);
    if (!application || caller.kind !== 'APP' || caller.appId !== application.id)
      throw unsupportedRequest('POST', req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.object !== 'whatsapp_business_account')
      throw invalidParam('Param object must be whatsapp_business_account.');
    const url = typeof body.callback_url === 'string' ? body.callback_url : undefined;
    const verifyToken = typeof body.verify_token === 'string' ? body.verify_token : undefined;
    if (!url || !verifyToken) throw invalidParam('Params callback_url and verify_token are required.');
    await verifyCallback(url, verifyToken);
    application.callbackUrl = url;
    application.verifyToken = verifyToken;
    return { success: true };
  });

  app.get<{ Params: { id: string } }>('/:id/subscriptions', async (req) => {
    const caller = authenticate(sim, req);
    const application = sim.world.apps.get(req.params.id);
    if (!application || caller.kind !== 'APP' || caller.appId !== application.id)
      throw unsupportedRequest('GET', req.params.id);
    if (!application.callbackUrl) return { data: [] };
    return {
      data: [
        {
          object: 'whatsapp_business_account',
          callback_url: application.callbackUrl,
          active: true,
          fields: [
            'messages',
            'message_template_status_update',
            'phone_number_quality_update',
            'user_preferences',
          ].map((name) => ({ name, version: 'v23.0' })),
        },
      ],
    };
  });
}

/** Meta's check of a callback URL: GET with a challenge that the endpoint must echo. */
export async function verifyCallback(url: string, verifyToken: string): Promise<void> {
  const challenge = String(Math.floor(Math.random() * 1e9));
  const target = new URL(url);
  target.searchParams.set('hub.mode', 'subscribe');
  target.searchParams.set('hub.challenge', challenge);
  target.searchParams.set('hub.verify_token', verifyToken);
  let problem: string | undefined;
  try {
    const res = await fetch(target, { signal: AbortSignal.timeout(5000) });
    const text = (await res.text()).trim();
    if (res.status !== 200) problem = `the endpoint answered HTTP ${res.status}`;
    else if (text !== challenge) problem = 'the response did not match the challenge';
  } catch (e) {
    problem = `the URL could not be reached (${e instanceof Error ? e.message : String(e)})`;
  }
  if (problem) {
    throw new GraphError({
      code: 2200,
      message: `(#2200) Callback verification failed with the following errors: ${problem}`,
    });
  }
}
