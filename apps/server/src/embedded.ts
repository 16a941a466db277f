import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';
import { seedDemoWorkspace } from './modules/workspaces/seed.js';
import type { Platform } from './platform/context.js';

/**
 * Embedded mode talks to the in-process Graph API simulator as if it were Meta. The simulator needs a
 * Meta app (id, secret, verify token) whose webhooks reach this server; when none is configured, one is
 * generated once and kept under DATA_DIR so restarts keep verifying each other's signatures.
 */
export function withEmbeddedMetaApp(config: Config): Config {
  if (config.meta.appId && config.meta.appSecret && config.meta.verifyToken) return config;
  const generated = {
    appId: `9${randomBytes(7).readUIntBE(0, 6).toString().padStart(14, '0')}`,
    appSecret: randomBytes(16).toString('hex'),
    verifyToken: randomBytes(12).toString('hex'),
  };
  let app = generated;
  if (config.dataDir !== 'memory://') {
    const path = join(config.dataDir, 'embedded-meta-app.json');
    if (existsSync(path)) {
      app = JSON.parse(readFileSync(path, 'utf8')) as typeof generated;
    } else {
      mkdirSync(config.dataDir, { recursive: true });
      writeFileSync(path, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
    }
  }
  return {
    ...config,
    meta: {
      ...config.meta,
      appId: config.meta.appId ?? app.appId,
      appSecret: config.meta.appSecret ?? app.appSecret,
      verifyToken: config.meta.verifyToken ?? app.verifyToken,
    },
  };
}

export interface EmbeddedSimulator {
  url: string;
  close(): Promise<void>;
}

/** Starts the simulator in this process and registers the platform as its Meta app's webhook receiver. */
export async function startEmbeddedSimulator(config: Config): Promise<EmbeddedSimulator> {
  const { startGraphSim } = await import('@openwaba/graph-sim');
  const running = await startGraphSim({ port: config.graphSim.port, host: '127.0.0.1', logger: false });
  const { appId, appSecret, verifyToken } = config.meta;
  if (!appId || !appSecret) throw new Error('embedded simulator needs a Meta app id and secret');
  running.sim.world.createApp({
    id: appId,
    secret: appSecret,
    name: 'OpenWABA (embedded)',
    callbackUrl: `http://127.0.0.1:${config.http.port}/webhooks/whatsapp`,
    verifyToken,
  });
  return { url: running.url, close: running.close };
}

/**
 * The demo login of embedded mode: seeded on first start, its initial password kept in a 0600 file
 * under DATA_DIR so every start can print it (the database stores only the hash).
 */
export async function demoLogin(
  config: Config,
  platform: Pick<Platform, 'db'>,
): Promise<{ email: string; password: string } | null> {
  const path = config.dataDir === 'memory://' ? null : join(config.dataDir, 'demo-login.json');
  const seeded = await seedDemoWorkspace(platform);
  if (seeded) {
    const login = { email: seeded.email, password: seeded.password };
    if (path) writeFileSync(path, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
    return login;
  }
  if (path && existsSync(path))
    return JSON.parse(readFileSync(path, 'utf8')) as { email: string; password: string };
  return null;
}
