import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HttpApp, Platform } from '../../platform/context.js';
import type { UserPrincipal, WorkspaceAccess } from '../../platform/http/auth.js';
import { AppError, notFound, standardErrors } from '../../platform/http/errors.js';
import { requirePermission, workspaceAccess } from '../../platform/http/tenant.js';
import { getConversation } from '../conversations/conversations.service.js';
import { getUser } from '../identity/identity.service.js';
import { type ConnectionLimits, SseConnection } from './connection.js';
import type { RealtimeHub } from './hub.js';
import { presenceOf, presenceStore } from './presence.js';
import { presenceTopic, typingTopic } from './realtime.events.js';
import * as schemas from './realtime.schemas.js';

export interface RealtimeOptions extends ConnectionLimits {
  /** How often an idle stream gets a `: ping` comment (and its access is checked again). */
  heartbeatMs: number;
}

const tags = ['realtime'];
const base = '/api/v1/workspaces/:workspaceId/realtime';

/** The stream and presence are a person's: API keys have no one to be online or typing. */
function memberOf(request: FastifyRequest): { access: WorkspaceAccess; user: UserPrincipal } {
  const access = workspaceAccess(request);
  if (access.principal.kind !== 'user') {
    throw new AppError('forbidden', 'The realtime channel is for signed-in members, not API keys');
  }
  return { access, user: access.principal };
}

export function registerRealtimeRoutes(
  app: HttpApp,
  platform: Platform,
  hub: RealtimeHub,
  options: RealtimeOptions,
): void {
  const presence = presenceStore(platform);

  const announce = async (workspaceId: string, userId: string) =>
    platform.events.publish(presenceTopic, {
      workspaceId,
      userId,
      status: await presenceOf(platform, workspaceId, userId),
    });

  app.get(
    base,
    {
      ...requirePermission('conversations.read.assigned'),
      schema: {
        tags,
        summary:
          'Live inbox events as Server-Sent Events; send Last-Event-ID (or ?lastEventId=) to resume after a disconnect',
        params: schemas.workspaceParams,
        querystring: schemas.streamQuery,
        response: { 200: z.string().describe('text/event-stream'), ...standardErrors },
      },
    },
    async (request, reply) => {
      const { access, user } = memberOf(request);
      const header = request.headers['last-event-id'];
      const cursor = (typeof header === 'string' && header) || request.query.lastEventId;

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no', // nginx: do not buffer the stream
        'x-request-id': request.id,
      });
      raw.flushHeaders();

      const connection = new SseConnection(raw, access.workspaceId, user.userId, access, options);
      // The first beat comes after a random part of the period: streams that opened together (every
      // client reconnecting after a restart) would otherwise re-check their access all at once, forever,
      // and that burst of queries holds up whatever else waits for the database pool.
      const beat = () => {
        connection.ping();
        void stillAllowed(request, access, user).then((allowed) => allowed || connection.close());
        heartbeat = setTimeout(beat, options.heartbeatMs);
      };
      let heartbeat = setTimeout(beat, Math.random() * options.heartbeatMs);
      let lease: Awaited<ReturnType<typeof presence.open>>['lease'] | undefined;
      raw.on('close', () => {
        clearTimeout(heartbeat);
        connection.markClosed();
        hub.remove(connection);
        void lease
          ?.release()
          .then(async (wentOffline) => {
            if (wentOffline) await announce(access.workspaceId, user.userId);
          })
          .catch((error) => request.log.warn({ err: error }, 'realtime presence release failed'));
      });

      try {
        await hub.attach(connection, cursor);
        const opened = await presence.open(access.workspaceId, user.userId);
        lease = opened.lease;
        if (connection.closed) await lease.release();
        else if (opened.cameOnline) await announce(access.workspaceId, user.userId);
      } catch (error) {
        request.log.error({ err: error }, 'realtime stream failed to start');
        connection.close();
      }
    },
  );

  app.post(
    `${base}/typing`,
    {
      ...requirePermission('messages.send'),
      schema: {
        tags,
        summary: 'Tells the other members who can see the conversation that the caller is typing',
        params: schemas.workspaceParams,
        body: schemas.typingBody,
        response: { 204: z.null(), ...standardErrors },
      },
    },
    async (request, reply) => {
      const { access, user } = memberOf(request);
      const { conversationId } = request.body;
      if (!(await getConversation(platform.db, access, conversationId))) throw notFound('Conversation');
      const profile = await getUser(platform.db, user.userId);
      await platform.events.publish(typingTopic, {
        workspaceId: access.workspaceId,
        conversationId,
        userId: user.userId,
        userName: profile?.name ?? user.email,
      });
      return reply.status(204).send(null);
    },
  );

  app.put(
    `${base}/presence`,
    {
      ...requirePermission('conversations.read.assigned'),
      schema: {
        tags,
        summary: "Sets the caller's status: away (no automatic assignments) or back online",
        params: schemas.workspaceParams,
        body: schemas.presenceBody,
        response: { 204: z.null(), ...standardErrors },
      },
    },
    async (request, reply) => {
      const { access, user } = memberOf(request);
      await presence.setAway(access.workspaceId, user.userId, request.body.status === 'away');
      await announce(access.workspaceId, user.userId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${base}/presence`,
    {
      ...requirePermission('conversations.read.assigned'),
      schema: {
        tags,
        summary: 'Members connected to the realtime channel now, and their status',
        params: schemas.workspaceParams,
        response: { 200: schemas.presenceReply, ...standardErrors },
      },
    },
    async (request) => {
      const access = workspaceAccess(request);
      const users = await presence.list(access.workspaceId);
      return { users: [...users].map(([userId, status]) => ({ userId, status })) };
    },
  );
}

/** A stream outlives its request: the session may end, or the membership change, while it is open. */
async function stillAllowed(
  request: FastifyRequest,
  access: WorkspaceAccess,
  user: UserPrincipal,
): Promise<boolean> {
  try {
    const resolver = request.server.accessResolver;
    const [session, membership] = await Promise.all([
      resolver.session(user.sessionToken),
      resolver.membership(access.workspaceId, user.userId),
    ]);
    return session !== null && membership !== null && membership.role === access.role;
  } catch (error) {
    request.log.warn({ err: error }, 'realtime access check failed; keeping the stream');
    return true;
  }
}
