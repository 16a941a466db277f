import type { LightMyRequestResponse } from 'fastify';
import type { Config } from '../../src/config.js';
import { modules as allModules } from '../../src/modules/index.js';
import type { HttpApp, PlatformModule } from '../../src/platform/context.js';
import { buildHttpServer } from '../../src/platform/http/server.js';
import type { Mailer } from '../../src/platform/mailer.js';
import { createPlatform, type RunningPlatform } from '../../src/platform/platform.js';
import { createTestDatabase, testConfig } from './environment.js';
import { LogCapture } from './log-capture.js';
import { migratedSnapshot } from './pglite-snapshot.js';

export interface TestApp {
  config: Config;
  /** Base URL when started with `listen: true`. */
  url: string;
  platform: RunningPlatform;
  http: HttpApp;
  logs: LogCapture;
  inject: HttpApp['inject'];
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Modules to mount; every module of the server by default. */
  modules?: readonly PlatformModule[];
  env?: Record<string, string>;
  /** Start consuming jobs (default true). */
  worker?: boolean;
  /** Also listen on a free loopback port (for peers that call back over HTTP, like the simulator). */
  listen?: boolean;
  /** Outgoing email (a CapturingMailer to read what was sent). */
  mailer?: Mailer;
}

/** Boots the platform and its HTTP app in-process on a fresh database. Call close() in `after`. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = testConfig(database.url, options.env);
  const logs = new LogCapture();
  const modules = options.modules ?? allModules;
  const platform = await createPlatform(config, modules, {
    logDestination: logs,
    mailer: options.mailer,
    pgliteSnapshot: config.database.url ? undefined : await migratedSnapshot(),
  });
  const http = await buildHttpServer(platform, modules);
  if (options.worker ?? true) await platform.startWorker();
  const url = options.listen ? await http.listen({ port: 0, host: '127.0.0.1' }) : '';
  return {
    config,
    url,
    platform,
    http,
    logs,
    inject: http.inject.bind(http),
    async close() {
      await http.close();
      await platform.close();
      await database.drop();
    },
  };
}

/** Parses a JSON response body, failing the test with the raw body when it is not JSON. */
export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  try {
    return JSON.parse(response.body) as T;
  } catch {
    throw new Error(`expected JSON, got ${response.statusCode}: ${response.body.slice(0, 500)}`);
  }
}
