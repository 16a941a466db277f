import { type PlatformModule, scheduleJob } from '../../platform/context.js';
import { syncTemplatesJob, syncWabaTemplatesJob } from './templates.jobs.js';
import { registerTemplateRoutes } from './templates.routes.js';

export const templatesModule: PlatformModule = {
  name: 'templates',
  routes: registerTemplateRoutes,
  jobs: [syncTemplatesJob, syncWabaTemplatesJob],
  schedules: [scheduleJob(syncTemplatesJob, { id: 'templates.sync', cron: '*/30 * * * *', payload: {} })],
};
