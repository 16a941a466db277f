import { desc } from 'drizzle-orm';
import { z } from 'zod';
import type { HttpApp, Platform, PlatformJob } from '../../platform/context.js';
import { standardErrors } from '../../platform/http/errors.js';
import { operatorActor, operatorGuard } from '../../platform/http/operator.js';
import { listDeadEvents, type ProcessEventsPayload, replayWebhookEvents } from './webhooks.service.js';
import { webhookUnroutedNumbers } from './webhooks.tables.js';

const deadLetter = z.object({
  id: z.string(),
  receivedAt: z.date(),
  attempts: z.number(),
  lastError: z.string().nullable(),
});

/** Operator tools for webhook intake: the dead-letter list, replay of a time range, unrouted numbers. */
export function registerWebhookOperatorRoutes(
  app: HttpApp,
  platform: Platform,
  processJob: PlatformJob<ProcessEventsPayload>,
): void {
  const guard = operatorGuard(platform.config);
  const security = [{ operator: [] }];

  app.get(
    '/api/v1/operator/webhooks/dead-letters',
    {
      ...guard,
      schema: {
        tags: ['operator'],
        summary: 'Webhook events that failed for good, with their errors',
        security,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
        response: { 200: z.object({ data: z.array(deadLetter) }), ...standardErrors },
      },
    },
    async (request) => ({ data: await listDeadEvents(platform, request.query.limit) }),
  );

  app.post(
    '/api/v1/operator/webhooks/replay',
    {
      ...guard,
      schema: {
        tags: ['operator'],
        summary: 'Re-processes the webhook events received in a time range (idempotent)',
        security,
        body: z
          .object({ from: z.coerce.date(), to: z.coerce.date(), deadOnly: z.boolean().default(false) })
          .refine((range) => range.from <= range.to, {
            message: '`from` must not be after `to`',
            path: ['from'],
          }),
        response: { 200: z.object({ replayed: z.number() }), ...standardErrors },
      },
    },
    async (request) => ({
      replayed: await replayWebhookEvents(platform, processJob, request.body, operatorActor(request)),
    }),
  );

  app.get(
    '/api/v1/operator/webhooks/unrouted',
    {
      ...guard,
      schema: {
        tags: ['operator'],
        summary: 'Phone numbers that sent webhooks but belong to no workspace',
        security,
        response: {
          200: z.object({
            data: z.array(
              z.object({
                phoneNumberId: z.string(),
                wabaId: z.string().nullable(),
                items: z.number(),
                firstSeenAt: z.date(),
                lastSeenAt: z.date(),
              }),
            ),
          }),
          ...standardErrors,
        },
      },
    },
    async () => ({
      data: await platform.db
        .select()
        .from(webhookUnroutedNumbers)
        .orderBy(desc(webhookUnroutedNumbers.lastSeenAt))
        .limit(500),
    }),
  );
}
