import { z } from 'zod';
import {
  definePlatformJob,
  type Platform,
  type PlatformModule,
  perPlatform,
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

/**
 * How long one processing job keeps taking the events that arrive after its own before it ends (and the
 * lane's next job, if one was asked for meanwhile, carries on): short enough not to hold up a shutdown.
 */
const DRAIN_MS = 1_000;

function createProcessJob(createHandler: (platform: Platform) => WebhookItemsHandler) {
  const handlerOf = perPlatform(createHandler);
  const job = definePlatformJob({
    name: 'webhooks.process',
    payload: processEventsPayload,
    retry: { attempts: 5, backoff: { type: 'exponential', delayMs: 2_000 } },
    // One at a time per worker: each job claims every pending event, so a second one would mostly wait
    // on the first one's row locks (same conversations). More throughput comes from more workers.
    concurrency: 1,
    async handle(payload, ctx) {
      const platform = ctx.deps;
      const handler = handlerOf(platform);
      const run = {
        ...ctx.run,
        redispatchEach: (ids: string[]) =>
          platform.jobs.enqueueMany(
            job,
            ids.map((id) => ({
              payload: { eventIds: [id], alone: true },
              options: { jobId: `ev1-${id}` },
            })),
          ),
      };
      let taken = await processWebhookEvents(platform, payload.eventIds, handler, run, {
        more: !payload.alone,
      });
      if (payload.alone) return;
      // While events keep arriving, the next batch starts as soon as this one is done: going back to the
      // queue for it cost 3 ms at the median and 17 ms at the p99 between batches at 1,000 webhooks/s.
      // The events taken here are not this job's: one failing waits for the sweeper, not for this job's
      // retries, and this job's last attempt is not theirs.
      const others = { ...run, isFinalAttempt: false };
      const until = Date.now() + DRAIN_MS;
      while (taken > 0 && Date.now() < until) {
        try {
          taken = await processWebhookEvents(platform, [], handler, others, { more: true });
        } catch (error) {
          ctx.run.logger.warn({ err: error }, 'webhook batch failed while draining; the sweeper retries it');
          return;
        }
      }
    },
  });
  return job;
}
