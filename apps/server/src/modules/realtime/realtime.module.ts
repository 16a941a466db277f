import type { PlatformModule } from '../../platform/context.js';
import { RealtimeHub } from './hub.js';
import { type RealtimeOptions, registerRealtimeRoutes } from './realtime.routes.js';

const defaults: RealtimeOptions = {
  heartbeatMs: 25_000,
  maxBufferedBytes: 256 * 1024,
  maxHeldEvents: 10_000,
  maxLagMs: 60_000,
};

/**
 * Live inbox updates over Server-Sent Events (docs/decisions/0002-realtime.md). Each server process
 * runs one hub, subscribed once to the bus, that fans events out to its own connections.
 */
export function realtimeModule(
  options: Partial<RealtimeOptions> & { historySize?: number } = {},
): PlatformModule {
  const { historySize, ...limits } = options;
  return {
    name: 'realtime',
    async routes(app, platform) {
      const hub = new RealtimeHub(platform, historySize);
      await hub.start();
      // Before the server stops accepting: open streams would otherwise hold its close forever.
      app.addHook('preClose', async () => hub.stop());
      registerRealtimeRoutes(app, platform, hub, { ...defaults, ...limits });
    },
  };
}
