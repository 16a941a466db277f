import { createHash, timingSafeEqual } from 'node:crypto';
import { SIGNATURE_HEADER, verifySignature } from '@openwaba/cloud-api';
import { Counter } from 'prom-client';
import { z } from 'zod';
import type { HttpApp, Platform, PlatformJob } from '../../platform/context.js';
import { AppError } from '../../platform/http/errors.js';
import { BatchedDispatcher } from '../../platform/jobs/batched-dispatch.js';
import { WebhookEventWriter } from './event-writer.js';
import { dispatchReceivedEvents, type ProcessEventsPayload } from './webhooks.service.js';

/** Meta's payloads are at most 3 MB. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

type IntakeOutcome = 'accepted' | 'duplicate' | 'invalid_signature' | 'bad_request' | 'unavailable';

/**
 * `/webhooks/whatsapp`: Meta's verification handshake (GET) and event intake (POST). A POST is answered
 * 200 only after its raw bytes are committed to PostgreSQL; dispatching the processing job is best
 * effort, because the sweeper re-dispatches whatever stays pending.
 */
export function registerWebhookIntake(
  app: HttpApp,
  platform: Platform,
  processJob: PlatformJob<ProcessEventsPayload>,
): void {
  const writer = new WebhookEventWriter(platform.db);
  // A few milliseconds of lingering saves queue round trips; the batches themselves come from the job
  // claiming every pending event when it runs. Successive asks go round the processing lanes.
  let lane = 0;
  const dispatcher = new BatchedDispatcher<string>(
    (ids) => dispatchReceivedEvents(platform, processJob, ids, lane++),
    platform.logger,
    { lingerMs: 10, queue: platform.jobs },
  );
  const counter = new Counter({
    name: 'webhook_intake_total',
    help: 'Webhook POSTs by outcome',
    labelNames: ['outcome'] as const,
    registers: [platform.metrics.registry],
  });
  const count = (outcome: IntakeOutcome) => counter.inc({ outcome });

  app.get(
    '/webhooks/whatsapp',
    {
      schema: {
        tags: ['webhooks'],
        summary: "Meta's webhook verification handshake",
        querystring: z.looseObject({
          'hub.mode': z.string().optional(),
          'hub.verify_token': z.string().optional(),
          'hub.challenge': z.string().optional(),
        }),
      },
    },
    async (request, reply) => {
      const expected = platform.config.meta.verifyToken;
      const { 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': challenge } = request.query;
      if (!expected || mode !== 'subscribe' || !token || !challenge || !sameText(token, expected)) {
        throw new AppError('forbidden', 'Webhook verification failed');
      }
      return reply.type('text/plain').send(challenge);
    },
  );

  app.register(async (scope) => {
    // This route hashes the exact bytes Meta sent, so it must see them before any JSON parsing.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES },
      (_request, body, done) => {
        done(null, body);
      },
    );

    scope.post(
      '/webhooks/whatsapp',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'Receives events from Meta (signed with X-Hub-Signature-256)',
        },
      },
      async (request, reply) => {
        const raw = request.body;
        const secret = platform.config.meta.appSecret;
        if (!secret) {
          count('unavailable');
          request.log.error('META_APP_SECRET is not configured: webhook refused');
          throw new AppError('unavailable', 'Webhooks are not configured on this server');
        }
        const header = request.headers[SIGNATURE_HEADER];
        if (
          !Buffer.isBuffer(raw) ||
          !verifySignature(raw, typeof header === 'string' ? header : undefined, secret)
        ) {
          count('invalid_signature');
          request.log.warn(
            { bytes: Buffer.isBuffer(raw) ? raw.length : 0, signed: Boolean(header) },
            'webhook signature rejected',
          );
          throw new AppError('invalid_signature', 'Missing or invalid X-Hub-Signature-256');
        }
        const body = raw.toString('utf8');
        if (!isJsonObject(body)) {
          count('bad_request');
          throw new AppError('bad_request', 'The webhook body is not a JSON object');
        }
        let stored: Awaited<ReturnType<WebhookEventWriter['store']>>;
        try {
          stored = await writer.store(body, createHash('sha256').update(raw).digest('hex'));
        } catch (error) {
          count('unavailable');
          request.log.error({ err: error }, 'could not store a webhook; Meta will retry');
          throw new AppError('unavailable', 'Temporarily unable to accept webhooks');
        }
        count(stored.fresh ? 'accepted' : 'duplicate');
        if (stored.fresh) dispatcher.dispatch(stored.id);
        return reply.status(200).send();
      },
    );
  });
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
