import { z } from 'zod';
import { definePlatformJob, type Platform, scheduleJob } from '../../platform/context.js';
import { VaultError } from '../../platform/vault/vault.js';
import { syncWaba } from './channels.health.js';
import { activeWabas } from './channels.repository.js';

/** Refreshes one WABA's numbers from Meta (see syncWaba). Failures are recorded, not retried in a loop. */
export const syncWabaJob = definePlatformJob({
  name: 'channels.syncWaba',
  payload: z.object({ workspaceId: z.string(), wabaId: z.string() }),
  retry: { attempts: 3, backoff: { type: 'exponential', delayMs: 30_000 } },
  concurrency: 2,
  async handle(payload, ctx) {
    try {
      const result = await syncWaba(ctx.deps, payload.workspaceId, payload.wabaId);
      if (!result.ok && result.reason === 'upstream_failed')
        throw new Error(`sync failed: ${result.message}`);
    } catch (error) {
      // A secret that no longer opens will not open on a retry either: fail closed, once, loudly.
      if (error instanceof VaultError) {
        ctx.run.logger.error({ wabaId: payload.wabaId }, 'the WABA token could not be opened; sync skipped');
        return;
      }
      throw error;
    }
  },
});

/** Queues a sync of one WABA, at most once per minute (the job id dedupes). */
export async function enqueueWabaSync(platform: Platform, workspaceId: string, wabaId: string) {
  const minute = Math.floor(Date.now() / 60_000);
  await platform.jobs.enqueue(
    syncWabaJob,
    { workspaceId, wabaId },
    { jobId: `channels-sync-${wabaId}-${minute}` },
  );
}

/**
 * Runs every minute and queues the WABAs whose last sync is older than CHANNEL_SYNC_INTERVAL_MINUTES, so
 * the interval is configuration (not a cron in code) and syncs spread out instead of all firing at once.
 */
export const syncDueJob = definePlatformJob({
  name: 'channels.syncDue',
  payload: z.object({}),
  retry: { attempts: 1, backoff: { type: 'fixed', delayMs: 60_000 } },
  concurrency: 1,
  async handle(_payload, ctx) {
    const platform = ctx.deps;
    const dueBefore = Date.now() - platform.config.channelSyncIntervalMinutes * 60_000;
    for (const waba of await activeWabas(platform.db)) {
      if (waba.lastSyncedAt && waba.lastSyncedAt.getTime() > dueBefore) continue;
      await enqueueWabaSync(platform, waba.workspaceId, waba.id);
    }
  },
});

export const syncDueSchedule = scheduleJob(syncDueJob, {
  id: 'channels.sync-due.minutely',
  cron: '0 * * * * *',
  payload: {},
});
