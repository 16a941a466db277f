import type { PlatformModule } from '../../platform/context.js';
import { registerMediaRoutes } from './media.routes.js';

/** Files of messages: downloads of customers' media (visibility of the conversation) and uploads to Meta. */
export const mediaModule: PlatformModule = {
  name: 'media',
  routes: registerMediaRoutes,
};
