import { z } from 'zod';
import {
  definePlatformJob,
  type Platform,
  type PlatformModule,
  scheduleJob,
} from '../../platform/context.js';
import { fetchInboundMediaJob, stalledMediaSweeper } from './inbound-media.js';
import { registerWebhookIntake } from './webhooks.intake.js';
import { registerWebhookOperatorRoutes } from './webhooks.operator.js';
import {
  dispatchEventBatches,
  EVENTS_PER_JOB,
  findStalledEvents,
  processWebhookEvents,
  pruneWebhookEvents,
  type WebhookItemsHandler,
} from './webhooks.service.js';

export interface WebhooksModuleOptions {
  /** Builds the inbound processing of parsed items (contacts, conversations, messages, statuses …), once per platform. */
  createHandler(platform: Platform): WebhookItemsHandler;
}

export function webhooksModule(options: WebhooksModuleOptions): PlatformModule & {
  processJob: ReturnType<typeof createProcessJob>;
} {
  const processJob = createProcessJob(options.createHandler);
  const pruneJob = definePlatformJob({
    name: 'webhooks.prune',
    payload: z.object({}),
    retry: { attempts: 3, backoff: { type: 'exponential', delayMs: 60_000 } },
    concurrency: 1,
    async handle(_payload, ctx) {
      const removed = await pruneWebhookEvents(ctx.deps, ctx.deps.config.webhookRetentionDays);
      if (removed > 0) ctx.run.logger.info({ removed }, 'pruned old webhook events');
    },
  });
  return {
    name: 'webhooks',
    processJob,
    jobs: [processJob, pruneJob, fetchInboundMediaJob],
    schedules: [scheduleJob(pruneJob, { id: 'webhooks.prune', cron: '17 3 * * *', payload: {} })],
    sweepers: [
      stalledMediaSweeper,
      {
        name: 'webhooks.stalled',
        async sweep(platform) {
          const ids = await findStalledEvents(platform, platform.config.redispatchAfterSeconds * 1000, 2_000);
          await dispatchEventBatches(platform, processJob, ids);
          return ids.length;
        },
      },
    ],
    routes(app, platform) {
      registerWebhookIntake(app, platform, processJob);
      registerWebhookOperatorRoutes(app, platform, processJob);
    },
  };
}

function createProcessJob(createHandler: (platform: Platform) => WebhookItemsHandler) {
  const handlers = new WeakMap<Platform, WebhookItemsHandler>();
  const job = definePlatformJob({
    name: 'webhooks.process',
    payload: z.object({
      eventIds: z.array(z.string().min(1)).min(1).max(EVENTS_PER_JOB),
      /** Only these events (a failed batch's events, retried one by one): claim no others. */
      alone: z.boolean().optional(),
    }),
    retry: { attempts: 5, backoff: { type: 'exponential', delayMs: 2_000 } },
    // One at a time per worker: each job claims every pending event, so a second one would mostly wait
    // on the first one's row locks (same conversations). More throughput comes from more workers.
    concurrency: 1,
    async handle(payload, ctx) {
      const platform = ctx.deps;
      let handler = handlers.get(platform);
      if (!handler) {
        handler = createHandler(platform);
        handlers.set(platform, handler);
      }
      await processWebhookEvents(
        platform,
        payload.eventIds,
        handler,
        {
          ...ctx.run,
          redispatchEach: (ids) =>
            platform.jobs.enqueueMany(
              job,
              ids.map((id) => ({
                payload: { eventIds: [id], alone: true },
                options: { jobId: `ev1-${id}` },
              })),
            ),
        },
        { more: !payload.alone },
      );
    },
  });
  return job;
}
