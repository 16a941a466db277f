import { LRUCache } from 'lru-cache';
import { Counter } from 'prom-client';
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
  findStalledEvents,
  processEventsPayload,
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

/** Per process, the events it processed lately: enough for the jobs of a few seconds at thousands a second. */
const RECENT_EVENTS = 20_000;

function createProcessJob(createHandler: (platform: Platform) => WebhookItemsHandler) {
  const state = new WeakMap<
    Platform,
    { handler: WebhookItemsHandler; recent: LRUCache<string, true>; skipped: Counter }
  >();
  const stateOf = (platform: Platform) => {
    let current = state.get(platform);
    if (!current) {
      current = {
        handler: createHandler(platform),
        recent: new LRUCache({ max: RECENT_EVENTS }),
        skipped: new Counter({
          name: 'webhook_jobs_skipped_total',
          help: 'Intake jobs ended without a transaction: this process had already processed their events',
          registers: [platform.metrics.registry],
        }),
      };
      state.set(platform, current);
    }
    return current;
  };
  const job = definePlatformJob({
    name: 'webhooks.process',
    payload: processEventsPayload,
    retry: { attempts: 5, backoff: { type: 'exponential', delayMs: 2_000 } },
    // One at a time per worker: each job claims every pending event, so a second one would mostly wait
    // on the first one's row locks (same conversations). More throughput comes from more workers.
    concurrency: 1,
    async handle(payload, ctx) {
      const platform = ctx.deps;
      const { handler, recent, skipped } = stateOf(platform);
      // The intake dispatches every few milliseconds and each batch claims every pending event, so many of
      // its jobs (a third at 1,000 webhooks/s) find their events taken by an earlier batch: no transaction
      // is needed to learn that. Only intake jobs: a replay or a sweep means the events need processing.
      if (payload.fresh && payload.eventIds.every((id) => recent.has(id))) {
        skipped.inc();
        return;
      }
      const committed = await processWebhookEvents(
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
      for (const id of committed) recent.set(id, true);
    },
  });
  return job;
}
