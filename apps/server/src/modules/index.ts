import type { PlatformModule } from '../platform/context.js';

/** Every domain module of the server, in the order their routes register. */
export const modules: readonly PlatformModule[] = [];
