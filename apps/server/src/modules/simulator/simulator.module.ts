import type { PlatformModule } from '../../platform/context.js';
import { registerSimulatorRoutes } from './simulator.routes.js';

/**
 * The simulator phone's proxy to the in-process Graph API simulator. Its routes exist only when that
 * simulator runs in this process in embedded mode; in scale mode (or with GRAPH_SIM=false) they are 404.
 */
export const simulatorModule: PlatformModule = {
  name: 'simulator',
  routes(app, platform) {
    const { graphSim, mode } = platform.config;
    if (graphSim.enabled && mode === 'embedded') registerSimulatorRoutes(app, platform);
  },
};
