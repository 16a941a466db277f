import type { PlatformModule } from '../../platform/context.js';
import { syncDueJob, syncDueSchedule, syncWabaJob } from './channels.jobs.js';
import { noticeOwnersOfReauthJob } from './channels.notices.js';
import { registerChannelRoutes } from './channels.routes.js';
import { registerVaultOperatorRoutes } from './vault.operator.js';

/** WhatsApp channels: onboarding, sealed tokens, phone number health. */
export const channelsModule: PlatformModule = {
  name: 'channels',
  routes(app, platform) {
    registerChannelRoutes(app, platform);
    registerVaultOperatorRoutes(app, platform);
  },
  jobs: [syncWabaJob, syncDueJob, noticeOwnersOfReauthJob] as PlatformModule['jobs'],
  schedules: [syncDueSchedule],
};
