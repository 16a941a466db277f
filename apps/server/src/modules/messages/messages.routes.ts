import { z } from 'zod';
import type { HttpApp, Platform } from '../../platform/context.js';
import { AppError, notFound, standardErrors } from '../../platform/http/errors.js';
import { replayable } from '../../platform/http/idempotency.js';
import { requirePermission, workspaceAccess } from '../../platform/http/tenant.js';
import { messageParams, messageView, sendMessageBody, workspaceParams } from './messages.schemas.js';
import { sendReadReceipt } from './read-receipt.js';
import type { SendRefusal } from './send.checks.js';
import { findMessage, sendMessage, toMessageView } from './send.service.js';

const tags = ['messages'];

export function refusalError(refusal: SendRefusal): AppError {
  const headers =
    refusal.retryAfterMs === undefined
      ? undefined
      : { 'retry-after': String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))) };
  return new AppError(refusal.code, refusal.message, refusal.details, headers);
}

export function registerMessageRoutes(app: HttpApp, platform: Platform): void {
  app.post(
    '/api/v1/workspaces/:workspaceId/messages',
    {
      ...requirePermission('messages.send'),
      schema: {
        tags,
        summary:
          'Send a message (text, media, template, interactive, reaction); it is queued and sent by a worker',
        description:
          'Send `Idempotency-Key` to make retries safe: a repeat returns the first result and sends nothing more.',
        params: workspaceParams,
        body: sendMessageBody,
        response: { 202: z.object({ message: messageView }), ...standardErrors },
      },
    },
    async (request, reply) => {
      const access = workspaceAccess(request);
      if (request.body.type === 'template' && !access.can('messages.send_template')) {
        throw new AppError('forbidden', 'Your role in this workspace does not allow messages.send_template');
      }
      return replayable(platform.db, request, reply, access.workspaceId, async () => {
        const result = await sendMessage(platform, {
          workspaceId: access.workspaceId,
          actor: access.actor,
          message: request.body,
        });
        if (!result.ok) throw refusalError(result.refusal);
        return { statusCode: 202, body: { message: toMessageView(result.message) } };
      });
    },
  );

  app.get(
    '/api/v1/workspaces/:workspaceId/messages/:messageId',
    {
      ...requirePermission('conversations.read.all'),
      schema: {
        tags,
        summary: 'A message and its delivery status',
        params: messageParams,
        response: { 200: z.object({ message: messageView }), ...standardErrors },
      },
    },
    async (request) => {
      const message = await findMessage(
        platform,
        workspaceAccess(request).workspaceId,
        request.params.messageId,
      );
      if (!message) throw notFound('Message');
      return { message: toMessageView(message) };
    },
  );

  app.post(
    '/api/v1/workspaces/:workspaceId/messages/:messageId/read',
    {
      ...requirePermission('messages.send'),
      schema: {
        tags,
        summary: 'Mark an inbound message (and those before it) as read; the customer sees blue ticks',
        params: messageParams,
        body: z.object({ typingIndicator: z.boolean().optional() }).optional(),
        response: { 204: z.null(), ...standardErrors },
      },
    },
    async (request, reply) => {
      const { workspaceId } = workspaceAccess(request);
      const message = await findMessage(platform, workspaceId, request.params.messageId);
      if (message?.direction !== 'inbound' || !message.wamid) throw notFound('Inbound message');
      const receipt = await sendReadReceipt(
        platform,
        workspaceId,
        { channelId: message.channelId, wamid: message.wamid },
        { typingIndicator: request.body?.typingIndicator },
      );
      if (!receipt.ok) {
        throw receipt.reason === 'refused_by_meta'
          ? new AppError('upstream_failed', 'Meta refused to mark the message read')
          : new AppError(receipt.reason, 'The number cannot reach Meta right now');
      }
      return reply.status(204).send(null);
    },
  );
}
