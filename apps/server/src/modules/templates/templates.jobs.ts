import { z } from 'zod';
import { definePlatformJob, type Platform } from '../../platform/context.js';
import { syncAllTemplates, syncWabaTemplates } from './templates.service.js';

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

/** One WABA's templates, read from Meta now: a webhook named a template this platform has no row for. */
export const syncWabaTemplatesJob = definePlatformJob({
  name: 'templates.syncWaba',
  payload: z.object({ wabaId: z.string() }),
  retry: { attempts: 3, backoff: { type: 'exponential', delayMs: 10_000 } },
  concurrency: 1,
  async handle(payload, ctx) {
    await syncWabaTemplates(ctx.deps, payload.wabaId);
  },
});

/**
 * Queues a sync of one WABA shortly (the template being created may not be committed yet); the job id
 * dedupes, so a burst of unmatched webhooks asks Meta once.
 */
export async function enqueueWabaTemplatesSync(platform: Platform, wabaId: string): Promise<void> {
  await platform.jobs.enqueue(
    syncWabaTemplatesJob,
    { wabaId },
    { jobId: `templates-sync-${wabaId}`, delayMs: 2_000 },
  );
}
