import { z } from 'zod';
import { definePlatformJob, type PlatformModule, scheduleJob } from '../../platform/context.js';
import { registerTemplateRoutes } from './templates.routes.js';
import { syncAllTemplates } from './templates.service.js';

/** Periodic mirror of every WABA's templates: catches webhooks that never came. */
export const syncTemplatesJob = definePlatformJob({
  name: 'templates.sync',
  payload: z.object({}),
  retry: { attempts: 2, backoff: { type: 'exponential', delayMs: 60_000 } },
  concurrency: 1,
  async handle(_payload, ctx) {
    const changed = await syncAllTemplates(ctx.deps);
    if (changed > 0) ctx.run.logger.info({ changed }, 'templates synced');
  },
});

export const templatesModule: PlatformModule = {
  name: 'templates',
  routes: registerTemplateRoutes,
  jobs: [syncTemplatesJob],
  schedules: [scheduleJob(syncTemplatesJob, { id: 'templates.sync', cron: '*/30 * * * *', payload: {} })],
};
