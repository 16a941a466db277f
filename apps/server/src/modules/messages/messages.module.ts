import { z } from 'zod';
import { definePlatformJob, type PlatformModule, scheduleJob } from '../../platform/context.js';
import { pruneIdempotencyKeys } from '../../platform/http/idempotency.js';
import { registerMessageRoutes } from './messages.routes.js';
import { sendMessageJob, stalledSendsSweeper } from './send.job.js';

const pruneIdempotencyJob = definePlatformJob({
  name: 'messages.prune-idempotency',
  payload: z.object({}),
  retry: { attempts: 3, backoff: { type: 'exponential', delayMs: 60_000 } },
  concurrency: 1,
  async handle(_payload, ctx) {
    await pruneIdempotencyKeys(ctx.deps.db);
  },
});

/** Outbound messaging: the send API, the send worker and its sweeper. */
export const messagesModule: PlatformModule = {
  name: 'messages',
  routes: registerMessageRoutes,
  jobs: [sendMessageJob, pruneIdempotencyJob],
  schedules: [
    scheduleJob(pruneIdempotencyJob, { id: 'messages.prune-idempotency', cron: '23 * * * *', payload: {} }),
  ],
  sweepers: [stalledSendsSweeper],
};
