import { z } from 'zod';
import { definePlatformJob, type PlatformModule, type Sweeper, scheduleJob } from '../../platform/context.js';
import { releaseDeadHolds } from './billing.charges.js';
import { registerBillingOperatorRoutes } from './billing.operator.js';
import { registerBillingRoutes } from './billing.routes.js';
import { purgeTemplateSends } from './billing.send.js';
import { noticeOwnersOfFlagJob } from './governance.notices.js';
import { evaluateGovernanceJob } from './governance.service.js';

/** Holds no status webhook will settle (sends failed before Meta, or past Meta's retry horizon). */
const failedHoldsSweeper: Sweeper = {
  name: 'billing.dead-holds',
  sweep: (platform) => platform.db.transaction((tx) => releaseDeadHolds(tx)),
};

const purgeTemplateSendsJob = definePlatformJob({
  name: 'billing.purge-template-sends',
  payload: z.object({}),
  retry: { attempts: 3, backoff: { type: 'exponential', delayMs: 60_000 } },
  concurrency: 1,
  async handle(_payload, ctx) {
    await purgeTemplateSends(ctx.deps.db);
  },
});

/** Rate card, usage ledger, wallets, the messaging-limit tier and template governance. */
export const billingModule: PlatformModule = {
  name: 'billing',
  routes(app, platform) {
    registerBillingRoutes(app, platform);
    registerBillingOperatorRoutes(app, platform);
  },
  jobs: [evaluateGovernanceJob, noticeOwnersOfFlagJob, purgeTemplateSendsJob] as PlatformModule['jobs'],
  schedules: [
    scheduleJob(evaluateGovernanceJob, { id: 'billing.governance.evaluate', cron: '* * * * *', payload: {} }),
    scheduleJob(purgeTemplateSendsJob, {
      id: 'billing.purge-template-sends',
      cron: '41 4 * * *',
      payload: {},
    }),
  ],
  sweepers: [failedHoldsSweeper],
};
