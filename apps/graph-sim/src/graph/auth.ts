import type { FastifyRequest } from 'fastify';
import { GraphError, unsupportedRequest } from '../errors.js';
import type { GraphSimulator } from '../sim.js';
import type { PhoneNumber, Token, Waba } from '../state/entities.js';

/**
 * Access tokens as Graph reads them: `Authorization: Bearer`, or an `access_token` query or body field.
 * `APP_ID|APP_SECRET` is an app access token. Anything unknown, malformed or expired is code 190.
 */
export function tokenOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header);
    return match?.[1]?.trim();
  }
  const query = req.query as Record<string, unknown> | undefined;
  if (typeof query?.access_token === 'string') return query.access_token;
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && typeof body.access_token === 'string') return body.access_token;
  return undefined;
}

export function authenticate(sim: GraphSimulator, req: FastifyRequest): Token {
  const raw = tokenOf(req);
  if (!raw) {
    throw new GraphError({
      code: 190,
      message: 'An active access token must be used to query this resource.',
    });
  }
  const appToken = appTokenOf(sim, raw);
  if (appToken) return appToken;
  const token = sim.world.tokens.get(raw);
  if (!token) throw new GraphError({ code: 190 });
  const now = sim.clock.now();
  if (token.expiresAt !== undefined && token.expiresAt <= now) {
    throw new GraphError({
      code: 190,
      subcode: 463,
      message: `Error validating access token: Session has expired on ${new Date(token.expiresAt).toUTCString()}. The current time is ${new Date(now).toUTCString()}.`,
    });
  }
  return token;
}

/** `APP_ID|APP_SECRET` → a token that speaks for the app (debug_token, app subscriptions). */
export function appTokenOf(sim: GraphSimulator, raw: string): Token | undefined {
  const bar = raw.indexOf('|');
  if (bar <= 0) return undefined;
  const app = sim.world.apps.get(raw.slice(0, bar));
  if (!app || app.secret !== raw.slice(bar + 1)) throw new GraphError({ code: 190 });
  return { token: raw, appId: app.id, kind: 'APP', userId: app.id, issuedAt: 0, wabaIds: [] };
}

export function mayUseWaba(token: Token, wabaId: string): boolean {
  if (token.kind === 'APP') return false;
  return token.wabaIds === undefined || token.wabaIds.includes(wabaId);
}

export function requireWaba(sim: GraphSimulator, token: Token, id: string, method: string): Waba {
  const waba = sim.world.wabas.get(id);
  if (!waba || !mayUseWaba(token, id)) throw unsupportedRequest(method, id);
  return waba;
}

export function requireNumber(sim: GraphSimulator, token: Token, id: string, method: string): PhoneNumber {
  const number = sim.world.numbers.get(id);
  if (!number || !mayUseWaba(token, number.wabaId)) throw unsupportedRequest(method, id);
  return number;
}
