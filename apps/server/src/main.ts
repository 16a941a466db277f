import { setFlagsFromString } from 'node:v8';
import { type Config, ConfigError, loadConfig, type Role, roles } from './config.js';
import { demoLogin, startEmbeddedSimulator, withEmbeddedMetaApp } from './embedded.js';
import { setCustomerServiceWindowMs } from './modules/conversations/window.js';
import { modules } from './modules/index.js';
import { listenOps } from './platform/http/ops-server.js';
import { buildHttpServer } from './platform/http/server.js';
import { registerWebApp } from './platform/http/web-app.js';
import { createPlatform } from './platform/platform.js';

/**
 * Connections waiting to be accepted. Node's default, 511, overflows when a burst of senders opens new
 * connections while the event loop is busy (Meta opens more when answers slow down); the kernel then
 * drops their SYNs and each waits a 1 s retransmit, which was most of the webhook intake's p99.9. The
 * kernel caps it at net.core.somaxconn (4096 on current Linux).
 */
const LISTEN_BACKLOG = 4096;

/**
 * How far V8 lets the old generation grow past what the last full collection kept, before the next one.
 * Its default scales with how cheap collections have been, up to 4×: a server with ~60 MB live grew to
 * ~180 MB of heap (280 MB resident) before its first full collection under webhook load. 50% keeps the
 * heap within 1.5× its live size for a full collection every few seconds, each a few ms of pause with
 * concurrent marking. A `--heap-growing-percent` given on the command line wins.
 */
const HEAP_GROWING_PERCENT = 50;
if (!process.execArgv.some((flag) => flag.startsWith('--heap-growing-percent'))) {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/**
 * One entry point, three roles: `server` (HTTP), `worker` (jobs and schedules) and `all` (embedded
 * mode: server, worker, the Graph API simulator and the web app in one process).
 * Usage: node --import tsx apps/server/src/main.ts [server|worker|all]
 */
async function main(): Promise<void> {
  const roleArg = process.argv[2];
  if (roleArg && !roles.includes(roleArg as Role)) {
    throw new ConfigError([`role: must be one of ${roles.join(', ')} (got ${JSON.stringify(roleArg)})`]);
  }
  let config = loadConfig({ ...process.env, ...(roleArg ? { ROLE: roleArg } : {}) });
  const closers: (() => Promise<void>)[] = [];
  setCustomerServiceWindowMs(config.customerServiceWindowSeconds * 1000);

  if (config.graphSim.enabled) {
    config = withEmbeddedMetaApp(config);
    const sim = await startEmbeddedSimulator(config);
    closers.push(() => sim.close());
  }

  const platform = await createPlatform(config, modules, { defaultMetrics: true });
  closers.unshift(() => platform.close());
  const log = platform.logger;

  if (config.role === 'server' || config.role === 'all') {
    const app = await buildHttpServer(platform, modules, {
      extraRoutes: config.role === 'all' ? (http) => registerWebApp(http, config.webDistDir) : undefined,
    });
    await app.listen({ port: config.http.port, host: config.http.host, backlog: LISTEN_BACKLOG });
    closers.unshift(() => app.close());
  }
  if (config.role === 'worker' || config.role === 'all') {
    await platform.startWorker();
  }
  if (config.role === 'worker') {
    // A worker has no HTTP server of its own; this small listener exposes its metrics and probes.
    const ops = await listenOps(platform);
    if (ops) closers.unshift(() => ops.close());
  }
  const login =
    config.mode === 'embedded' && config.role === 'all' ? await demoLogin(config, platform) : null;
  announce(config, log.info.bind(log), login);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    for (const close of closers)
      await close().catch((error: unknown) => log.warn({ err: error }, 'close failed'));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

function announce(
  config: Config,
  info: (obj: object, msg: string) => void,
  login: { email: string; password: string } | null,
): void {
  info(
    {
      role: config.role,
      mode: config.mode,
      graph: config.meta.graphBaseUrl,
      simulator: config.graphSim.enabled ? `http://127.0.0.1:${config.graphSim.port}` : 'off',
    },
    'OpenWABA started',
  );
  if (config.role !== 'worker') {
    // Printed, not logged: the demo password must not end up in log storage.
    const demo = login ? `  Demo login: ${login.email} / ${login.password}  (initial password)\n` : '';
    process.stdout.write(
      `\n  OpenWABA (${config.role}, ${config.mode} mode) is up at ${config.http.publicUrl}\n${demo}\n`,
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `OpenWABA failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
