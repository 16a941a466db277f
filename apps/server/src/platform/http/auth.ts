import { createHmac, timingSafeEqual } from 'node:crypto';
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Permission, Role } from '../../modules/workspaces/permissions.js';
import type { HttpApp } from '../context.js';
import { AppError } from './errors.js';

/**
 * Who is calling. Two ways in: a browser session (cookie `owaba_session`, CSRF header on writes) or a
 * workspace API key (`Authorization: Bearer owk_…`). The lookups live in the identity and workspaces
 * modules and are plugged in through `AccessResolver`, so this file stays free of module tables.
 *
 * CSRF scheme for the web app: every response that starts or reads a session (`POST /api/v1/auth/login`,
 * `POST /api/v1/auth/signup`, `GET /api/v1/auth/me`) returns `csrfToken`; the same value is also in the
 * readable cookie `owaba_csrf`. Send it as `X-CSRF-Token` on every POST/PUT/PATCH/DELETE made with the
 * session cookie. It is an HMAC of the session token, so it changes with the session and needs no storage.
 * API-key requests are exempt (a browser cannot attach an Authorization header cross-site without CORS).
 */
export const SESSION_COOKIE = 'owaba_session';
export const CSRF_COOKIE = 'owaba_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const API_KEY_PREFIX = 'owk_';

export interface UserPrincipal {
  kind: 'user';
  userId: string;
  email: string;
  sessionId: string;
  /** Kept only to derive the CSRF token; never logged or returned. */
  sessionToken: string;
}

export interface ApiKeyPrincipal {
  kind: 'api_key';
  apiKeyId: string;
  name: string;
  workspaceId: string;
  role: Role;
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

/** Everything an audit row needs to know about the caller of one request (or a job). */
export interface Actor {
  principal: Principal | null;
  /** Names a non-human actor (a scheduled job) when principal is null. */
  system?: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface Membership {
  memberId: string;
  role: Role;
}

/** The lookups behind authentication, provided by the identity and workspaces modules. */
export interface AccessResolver {
  session(token: string): Promise<UserPrincipal | null>;
  apiKey(key: string): Promise<ApiKeyPrincipal | null>;
  membership(workspaceId: string, userId: string): Promise<Membership | null>;
}

export interface WorkspaceAccess {
  workspaceId: string;
  role: Role;
  principal: Principal;
  /** Set for members (users); absent for API keys. */
  memberId: string | undefined;
  actor: Actor;
  can(permission: Permission): boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    accessResolver: AccessResolver;
    /** Session cookies always carry `Secure` (the public URL is HTTPS), whatever the request's scheme. */
    secureSessionCookies: boolean;
    /** `GET /api/v1/...` → the permission its guard requires; read by the access test helper. */
    routePermissions: Map<string, Permission>;
  }
  interface FastifyRequest {
    principal: Principal | null | undefined;
    workspaceAccess: WorkspaceAccess | null;
  }
  interface FastifyContextConfig {
    permission?: Permission;
  }
}

export interface AccessOptions {
  /**
   * Mark session cookies `Secure` on every request, not only those that arrived over HTTPS: set when the
   * public URL is HTTPS, since a TLS-terminating proxy that isn't trusted makes requests look like HTTP.
   */
  secureCookies?: boolean;
}

/** Installs the resolver, the cookie plugin and the route registry. Must run before guarded routes register. */
export async function installAccess(
  app: HttpApp,
  resolver: AccessResolver,
  options: AccessOptions = {},
): Promise<void> {
  if (!app.hasReplyDecorator('setCookie')) await app.register(fastifyCookie);
  app.decorate('accessResolver', resolver);
  app.decorate('secureSessionCookies', options.secureCookies ?? false);
  app.decorate('routePermissions', new Map<string, Permission>());
  app.decorateRequest('principal', undefined);
  app.decorateRequest('workspaceAccess', null);
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    if (!permission) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) app.routePermissions.set(`${method} ${route.url}`, permission);
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Resolves (once per request) the caller, or null when the request carries no credentials. */
export async function authenticate(request: FastifyRequest): Promise<Principal | null> {
  if (request.principal !== undefined) return request.principal;
  const resolver = request.server.accessResolver;
  if (!resolver) throw new Error('installAccess() was not called: no module provides authentication');

  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    // An explicit credential that fails never falls back to the cookie: the caller meant this one.
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const key = match?.[1];
    const principal = key?.startsWith(API_KEY_PREFIX) ? await resolver.apiKey(key) : null;
    if (!principal) throw new AppError('unauthenticated', 'The API key is not valid');
    request.principal = principal;
    return principal;
  }

  const token = readCookie(request, SESSION_COOKIE);
  const principal = token ? await resolver.session(token) : null;
  if (principal && !SAFE_METHODS.has(request.method)) assertCsrf(request, principal);
  request.principal = principal;
  return principal;
}

export async function requireAuthenticated(request: FastifyRequest): Promise<Principal> {
  const principal = await authenticate(request);
  if (!principal) throw new AppError('unauthenticated', 'Sign in or send an API key');
  return principal;
}

/** Route option for routes that need a signed-in person (account routes), not an API key. */
export function requireUser() {
  return {
    onRequest: async (request: FastifyRequest) => {
      const principal = await requireAuthenticated(request);
      if (principal.kind !== 'user') throw new AppError('forbidden', 'This route needs a signed-in user');
    },
  };
}

/** The signed-in user of a route guarded by requireUser(). */
export function currentUser(request: FastifyRequest): UserPrincipal {
  const principal = request.principal;
  if (principal?.kind !== 'user') throw new Error('currentUser() used on a route without requireUser()');
  return principal;
}

export function actorOf(request: FastifyRequest): Actor {
  const agent = request.headers['user-agent'];
  return {
    principal: request.principal ?? null,
    ip: request.ip ?? null,
    userAgent: typeof agent === 'string' ? agent.slice(0, 512) : null,
    requestId: request.id,
  };
}

export function systemActor(name: string): Actor {
  return { principal: null, system: name, ip: null, userAgent: null, requestId: null };
}

/** The CSRF token that belongs to a session token (see the scheme above). */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('owaba-csrf-v1').digest('base64url');
}

function assertCsrf(request: FastifyRequest, principal: UserPrincipal): void {
  const sent = request.headers[CSRF_HEADER];
  const expected = Buffer.from(csrfTokenFor(principal.sessionToken));
  const given = Buffer.from(typeof sent === 'string' ? sent : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError('csrf_failed', `Send the X-CSRF-Token header with cookie-authenticated writes`);
  }
}

function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  const value = fastifyCookie.parse(header)[name];
  return value ? value : undefined;
}

const SESSION_COOKIE_OPTIONS = { path: '/', sameSite: 'lax' } as const;

function cookiesSecure(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.server.secureSessionCookies === true;
}

/**
 * Sets the session cookie (HttpOnly) and the readable CSRF cookie; Secure when the request came over HTTPS
 * or the installation's public URL is HTTPS.
 */
export function setSessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: Date,
): void {
  const secure = cookiesSecure(request);
  reply.setCookie(SESSION_COOKIE, token, {
    ...SESSION_COOKIE_OPTIONS,
    httpOnly: true,
    secure,
    expires: expiresAt,
  });
  reply.setCookie(CSRF_COOKIE, csrfTokenFor(token), {
    ...SESSION_COOKIE_OPTIONS,
    httpOnly: false,
    secure,
    expires: expiresAt,
  });
}

export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply): void {
  const secure = cookiesSecure(request);
  reply.clearCookie(SESSION_COOKIE, { ...SESSION_COOKIE_OPTIONS, httpOnly: true, secure });
  reply.clearCookie(CSRF_COOKIE, { ...SESSION_COOKIE_OPTIONS, secure });
}
