import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { scaleModeEnv } from './args.js';
import { freePort, profileArgs, spawnTs, waitForOk } from './processes.js';

/** A database of its own for one benchmark run, on the PostgreSQL of `adminUrl`; `drop` removes it. */
export async function scratchDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `owbench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  // BENCH_LOG_STATEMENTS=1: every statement on this database goes to PostgreSQL's log (to count them).
  if (process.env.BENCH_LOG_STATEMENTS) await admin.query(`alter database ${name} set log_statement = 'all'`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      try {
        await admin.query(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/**
 * Removes every Redis key under `prefix` (a run's queues, limits and event logs): a benchmark's jobs
 * are never consumed, and leftovers of earlier runs made Redis hundreds of MB larger for the next.
 */
export async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * The platform in scale mode as processes (`apps/server/src/main.ts`), on a scratch database. Every
 * server and worker shares one environment: that database, Redis with a key prefix of this run, and a
 * fresh Meta app secret to sign webhooks with.
 */
export interface ScaleStack {
  appSecret: string;
  databaseUrl: string;
  /** A connection to the database, to seed it and read results. */
  db: pg.Client;
  /** Redis of the run and the platform's key prefix there (event bus channels are `{prefix}:events:{topic}`). */
  redisUrl: string;
  redisKeyPrefix: string;
  /** Starts a `server` process on a free port (profiled when BENCH_PROFILE_DIR is set); resolves once it is ready. */
  server(): Promise<{ url: string; port: number; process: ChildProcess }>;
  /** Starts a `worker` process (profiled when BENCH_PROFILE_DIR is set, unless `nodeArgs` says otherwise). */
  worker(nodeArgs?: string[]): ChildProcess;
  /** Ends the processes, then drops the database. */
  stop(): Promise<void>;
}

export async function startScaleStack(options: {
  /** Tells this benchmark's Redis keys apart (the process id is appended). */
  keyPrefix: string;
  env?: Record<string, string>;
}): Promise<ScaleStack> {
  const { databaseUrl: adminUrl, redisUrl } = scaleModeEnv();
  const database = await scratchDatabase(adminUrl);
  const appSecret = randomBytes(16).toString('hex');
  const env = {
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '20',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `${options.keyPrefix}${process.pid}`,
    META_APP_SECRET: appSecret,
    TOKEN_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ...options.env,
  };
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const children: ChildProcess[] = [];
  const start = (role: 'server' | 'worker', extraEnv: Record<string, string>, nodeArgs: string[] = []) => {
    const child = spawnTs('apps/server/src/main.ts', [role], { ...env, ...extraEnv }, nodeArgs);
    children.push(child);
    return child;
  };

  return {
    appSecret,
    databaseUrl: database.url,
    db,
    redisUrl,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    async server() {
      const port = await freePort();
      const child = start('server', { PORT: String(port) }, profileArgs());
      const url = `http://127.0.0.1:${port}`;
      await waitForOk(`${url}/ready`);
      return { url, port, process: child };
    },
    // Several benchmark workers may run at once: none takes the metrics port.
    worker: (nodeArgs = profileArgs()) => start('worker', { METRICS_PORT: '0' }, nodeArgs),
    async stop() {
      for (const child of children) child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await db.end().catch(() => {});
      await database.drop().catch(() => {});
      await dropRedisPrefix(redisUrl, env.REDIS_KEY_PREFIX).catch(() => {});
    },
  };
}
