import type { PlatformModule } from '../../platform/context.js';
import { registerConversationRoutes } from './conversations.routes.js';
import { registerInboxRoutes } from './inbox.routes.js';
import { wakeSnoozedJob, wakeSnoozedSchedule } from './snooze.jobs.js';

/** The team inbox: conversations and their actions, notes, labels, quick replies, search, snoozes. */
export const conversationsModule: PlatformModule = {
  name: 'conversations',
  routes(app, platform) {
    registerConversationRoutes(app, platform);
    registerInboxRoutes(app, platform);
  },
  jobs: [wakeSnoozedJob],
  schedules: [wakeSnoozedSchedule],
};
