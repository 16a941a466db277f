import type { PlatformModule } from '../../platform/context.js';
import { registerContactRoutes } from './contacts.routes.js';

/** The contacts API (list, search, edit, delete, manual opt-out/in, export) and opt-out settings. */
export const contactsModule: PlatformModule = { name: 'contacts', routes: registerContactRoutes };
