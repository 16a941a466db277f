import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HttpApp } from '../../platform/context.js';
import {
  actorOf,
  clearSessionCookies,
  csrfTokenFor,
  currentUser,
  requireUser,
  setSessionCookies,
} from '../../platform/http/auth.js';
import { AppError, standardErrors } from '../../platform/http/errors.js';
import { auditListReply } from '../audit/audit.schemas.js';
import { listAccountEvents } from '../audit/audit.service.js';
import { myWorkspaces } from '../workspaces/workspaces.service.js';
import * as schemas from './identity.schemas.js';
import {
  changePassword,
  getUser,
  type IdentityDeps,
  logIn,
  logOut,
  requestPasswordReset,
  resetPassword,
  type StartedSession,
  signUp,
} from './identity.service.js';

const tags = ['auth'];
const noContent = { 204: z.null().describe('Done'), ...standardErrors };

export function rateLimited(retryAfterMs: number): AppError {
  return new AppError('rate_limited', 'Too many attempts; try again later', undefined, {
    'retry-after': String(Math.ceil(retryAfterMs / 1000)),
  });
}

function startSessionReply(request: FastifyRequest, reply: FastifyReply, session: StartedSession) {
  setSessionCookies(request, reply, session.token, session.expiresAt);
  return { user: session.user, csrfToken: csrfTokenFor(session.token), workspaceId: session.workspaceId };
}

export function registerAuthRoutes(app: HttpApp, deps: IdentityDeps): void {
  app.post(
    '/api/v1/auth/signup',
    {
      schema: {
        tags,
        summary: 'Create an account and its first workspace (or join an invited one), and sign in',
        body: schemas.signUpBody,
        response: { 201: schemas.sessionReply, ...standardErrors },
      },
    },
    async (request, reply) => {
      const result = await signUp(deps, actorOf(request), request.body);
      if (!result.ok) {
        switch (result.reason) {
          case 'rate_limited':
            throw rateLimited(result.retryAfterMs);
          case 'email_taken':
            throw new AppError('already_exists', 'An account with this email exists; sign in instead');
          case 'invalid_invitation':
            throw new AppError('invalid_token', 'The invitation is not valid, or not for this email');
          default:
            throw new Error(`unhandled ${result satisfies never}`);
        }
      }
      return reply.status(201).send(startSessionReply(request, reply, result.value));
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags,
        summary: 'Sign in with email and password; sets the session cookie',
        body: schemas.logInBody,
        response: { 200: schemas.sessionReply, ...standardErrors },
      },
    },
    async (request, reply) => {
      const result = await logIn(deps, actorOf(request), request.body);
      if (!result.ok) {
        switch (result.reason) {
          case 'rate_limited':
            throw rateLimited(result.retryAfterMs);
          case 'invalid_credentials':
            throw new AppError('invalid_credentials', 'The email or password is not correct');
          default:
            throw new Error(`unhandled ${result satisfies never}`);
        }
      }
      return startSessionReply(request, reply, result.value);
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { ...requireUser(), schema: { tags, summary: 'End this session', response: noContent } },
    async (request, reply) => {
      await logOut(deps.db, actorOf(request), currentUser(request), false);
      clearSessionCookies(request, reply);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/logout-everywhere',
    { ...requireUser(), schema: { tags, summary: 'End every session of this account', response: noContent } },
    async (request, reply) => {
      await logOut(deps.db, actorOf(request), currentUser(request), true);
      clearSessionCookies(request, reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      ...requireUser(),
      schema: {
        tags,
        summary: 'The signed-in user, their workspaces and the CSRF token',
        response: { 200: schemas.meReply, ...standardErrors },
      },
    },
    async (request) => {
      const principal = currentUser(request);
      const user = await getUser(deps.db, principal.userId);
      if (!user) throw new AppError('unauthenticated', 'Sign in again');
      return {
        user,
        csrfToken: csrfTokenFor(principal.sessionToken),
        workspaces: await myWorkspaces(deps.db, principal.userId),
      };
    },
  );

  app.get(
    '/api/v1/me/security-log',
    {
      ...requireUser(),
      schema: {
        tags,
        summary: "The signed-in user's account events, newest first, cursor-paged",
        description:
          'Log-ins, failed and throttled log-ins against this account, password changes and resets, ' +
          'and sessions ended. Only this account: rows of workspaces are in their audit trail.',
        querystring: schemas.securityLogQuery,
        response: { 200: auditListReply, ...standardErrors },
      },
    },
    async (request) => listAccountEvents(deps.db, currentUser(request).userId, request.query),
  );

  app.post(
    '/api/v1/auth/password',
    {
      ...requireUser(),
      schema: {
        tags,
        summary: 'Change the password; signs out every other session',
        body: schemas.changePasswordBody,
        response: noContent,
      },
    },
    async (request, reply) => {
      const result = await changePassword(deps, actorOf(request), currentUser(request), request.body);
      if (!result.ok) {
        switch (result.reason) {
          case 'rate_limited':
            throw rateLimited(result.retryAfterMs);
          case 'wrong_password':
            throw new AppError('validation_failed', 'The request is not valid', [
              { path: 'body.currentPassword', message: 'is not correct' },
            ]);
          default:
            throw new Error(`unhandled ${result satisfies never}`);
        }
      }
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/password-reset',
    {
      schema: {
        tags,
        summary: 'Email a password-reset link (the reply is the same whether the account exists or not)',
        body: schemas.resetRequestBody,
        response: { 202: z.object({ status: z.literal('accepted') }), ...standardErrors },
      },
    },
    async (request, reply) => {
      const result = await requestPasswordReset(deps, actorOf(request), request.body.email);
      if (!result.ok) throw rateLimited(result.retryAfterMs);
      return reply.status(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/api/v1/auth/password-reset/confirm',
    {
      schema: {
        tags,
        summary: 'Set a new password with the emailed token; signs out every session',
        body: schemas.resetConfirmBody,
        response: noContent,
      },
    },
    async (request, reply) => {
      const result = await resetPassword(deps, actorOf(request), request.body);
      if (!result.ok)
        throw new AppError('invalid_token', 'The reset link is not valid any more; ask for a new one');
      return reply.status(204).send(null);
    },
  );
}
