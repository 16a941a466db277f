import type { SimConfigInput } from './config.js';
import { buildGraphSim } from './server.js';
import type { GraphSimulator } from './sim.js';

export type { SimConfig, SimConfigInput } from './config.js';
export { simConfigSchema } from './config.js';
export type { FaultInput } from './faults.js';
export { type BuildOptions, buildGraphSim, stripVersion } from './server.js';
export { GraphSimulator } from './sim.js';

export interface StartOptions {
  port: number;
  host?: string;
  logger?: boolean;
  /** Behaviour knobs (delays, limits, UNCONFIRMED choices); see config.ts. */
  config?: SimConfigInput;
}

export interface RunningGraphSim {
  /** Base URL without a version, e.g. `http://127.0.0.1:54321`; Graph paths go under `${url}/v23.0/`. */
  url: string;
  port: number;
  /** The in-process simulator, for embedded mode and tests that prefer calls to HTTP control requests. */
  sim: GraphSimulator;
  close(): Promise<void>;
}

/** Starts the simulator on `port` (0 picks a free one; `url` then carries the real port). */
export async function startGraphSim(options: StartOptions): Promise<RunningGraphSim> {
  const { app, sim } = await buildGraphSim({ logger: options.logger, config: options.config });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    sim,
    close: () => app.close(),
  };
}
