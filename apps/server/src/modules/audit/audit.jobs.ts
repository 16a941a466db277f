import { z } from 'zod';
import { definePlatformJob, scheduleJob } from '../../platform/context.js';
import { DEFAULT_AUDIT_RETENTION_DAYS } from '../workspaces/plans.js';
import { retentionPolicies } from '../workspaces/workspaces.service.js';
import { purgeAudit } from './audit.service.js';

/**
 * Deletes audit rows past each workspace's retention (its plan's `auditRetentionDays`), and account
 * events (no workspace) past the default. Idempotent: running it twice deletes nothing more.
 */
export const purgeAuditJob = definePlatformJob({
  name: 'audit.purge',
  payload: z.object({ now: z.iso.datetime().optional() }),
  retry: { attempts: 3, backoff: { type: 'exponential', delayMs: 60_000 } },
  concurrency: 1,
  async handle(payload, ctx) {
    const now = payload.now ? new Date(payload.now) : new Date();
    const db = ctx.deps.db;
    let deleted = await purgeAudit(db, null, DEFAULT_AUDIT_RETENTION_DAYS, now);
    for await (const policy of retentionPolicies(db)) {
      deleted += await purgeAudit(db, policy.workspaceId, policy.days, now);
    }
    if (deleted > 0) ctx.run.logger.info({ deleted }, 'expired audit rows removed');
  },
});

export const purgeAuditSchedule = scheduleJob(purgeAuditJob, {
  id: 'audit.purge.daily',
  cron: '0 17 3 * * *',
  payload: {},
});
