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
  findStalledEvents,
  processWebhookEvent,
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
          const ids = await findStalledEvents(platform, platform.config.redispatchAfterSeconds * 1000, 1_000);
          for (const eventId of ids) await platform.jobs.enqueue(processJob, { eventId }, { jobId: eventId });
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
  return definePlatformJob({
    name: 'webhooks.process',
    payload: z.object({ eventId: z.string().min(1) }),
    retry: { attempts: 5, backoff: { type: 'exponential', delayMs: 2_000 } },
    concurrency: 8,
    async handle(payload, ctx) {
      let handler = handlers.get(ctx.deps);
      if (!handler) {
        handler = createHandler(ctx.deps);
        handlers.set(ctx.deps, handler);
      }
      await processWebhookEvent(ctx.deps, payload.eventId, handler, ctx.run);
    },
  });
}
