import { randomBytes } from 'node:crypto';
import { GraphClient } from '@openwaba/cloud-api';
import type { DestinationStream } from 'pino';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Platform, PlatformModule } from './context.js';
import { definePlatformJob, scheduleJob } from './context.js';
import { openDatabase, pgliteDirFor } from './db/client.js';
import { memoryEventBus, redisEventBus } from './events/event-bus.js';
import { BullMqJobQueue } from './jobs/bullmq-queue.js';
import { MemoryJobQueue } from './jobs/memory-queue.js';
import { createLogger } from './logger.js';
import { consoleMailer, type Mailer, smtpMailer } from './mailer.js';
import { s3MediaStore } from './media-s3.js';
import { localMediaStore } from './media-store.js';
import { createMetrics } from './metrics.js';
import { memoryRateLimits, redisRateLimits } from './ratelimit/rate-limits.js';
import { assertNoEviction, connectRedis, waitForRedis } from './redis.js';
import { type KeyRing, loadOrCreateLocalKey, parseKeyRing } from './vault/keyring.js';
import { createVault, vaultPurgeSweeper } from './vault/vault.js';

export interface PlatformOptions {
  /** Where logs go (tests capture them); stdout by default. */
  logDestination?: DestinationStream;
  /** Apply migrations at start (default true). */
  migrate?: boolean;
  /** Process metrics (CPU, memory, event loop) in /metrics; off in tests. */
  defaultMetrics?: boolean;
  /** Outgoing email; by default SMTP when SMTP_URL is set, else the console adapter. */
  mailer?: Mailer;
  /** Embedded mode: start PGlite from this data-directory dump (tests). */
  pgliteSnapshot?: Blob;
}

export interface RunningPlatform extends Platform {
  modules: readonly PlatformModule[];
  /** Starts consuming jobs and installs schedules (worker and all roles). */
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the adapters for the configured mode and registers every module's jobs. */
export async function createPlatform(
  config: Config,
  modules: readonly PlatformModule[],
  options: PlatformOptions = {},
): Promise<RunningPlatform> {
  const logger = createLogger({ level: config.logLevel, destination: options.logDestination });
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? false });
  const database = await openDatabase({
    url: config.database.url,
    poolSize: config.database.poolSize,
    pgliteDir: pgliteDirFor(config.dataDir),
    pgliteSnapshot: options.pgliteSnapshot,
  });
  const cleanups: (() => Promise<unknown>)[] = [() => database.close()];
  try {
    if (options.migrate ?? true) await database.migrate();

    let redis: Platform['redis'];
    if (config.redis.url) {
      redis = connectRedis(config.redis.url);
      const connection = redis;
      cleanups.unshift(async () => connection.disconnect());
      await waitForRedis(redis, config.redis.url);
      await assertNoEviction(redis);
    }
    const prefix = config.redis.keyPrefix;
    const vault = createVault(database.db, resolveKeyRing(config, logger), config.vault);
    cleanups.unshift(() => vault.close());
    const smtp =
      options.mailer || !config.mail.smtpUrl
        ? undefined
        : smtpMailer({ url: config.mail.smtpUrl, from: config.mail.from }, logger);
    if (smtp) cleanups.unshift(async () => smtp.close());
    const platform: Platform = {
      config,
      logger,
      database,
      db: database.db,
      metrics,
      redis,
      vault,
      mailer: options.mailer ?? smtp ?? consoleMailer(logger, { logLinks: config.mode === 'embedded' }),
      media: config.media.store === 's3' ? s3MediaStore(config.media.s3) : localMediaStore(config.dataDir),
      graph: new GraphClient({
        baseUrl: config.meta.graphBaseUrl,
        version: config.meta.graphVersion,
        appSecret: config.meta.appSecret,
      }),
      jobs: redis ? new BullMqJobQueue(redis, prefix, logger, metrics) : new MemoryJobQueue(logger, metrics),
      rateLimits: redis ? redisRateLimits(redis, prefix) : memoryRateLimits(),
      events: redis ? redisEventBus(redis, prefix, logger) : memoryEventBus(logger),
    };
    cleanups.unshift(
      () => platform.jobs.close(),
      () => platform.events.close(),
    );
    metrics.setQueueDepthSource(() => platform.jobs.counts());

    const sweepers = [vaultPurgeSweeper, ...modules.flatMap((module) => module.sweepers ?? [])];
    const sweepJob = definePlatformJob({
      name: 'platform.sweep',
      payload: z.object({}),
      retry: { attempts: 1, backoff: { type: 'fixed', delayMs: 0 } },
      concurrency: 1,
      async handle(_payload, ctx) {
        for (const sweeper of sweepers) {
          try {
            const count = await sweeper.sweep(ctx.deps);
            if (count > 0)
              ctx.run.logger.info({ sweeper: sweeper.name, count }, 'sweeper re-dispatched work');
          } catch (error) {
            ctx.run.logger.error({ err: error, sweeper: sweeper.name }, 'sweeper failed');
          }
        }
      },
    });
    platform.jobs.register([sweepJob, ...modules.flatMap((module) => module.jobs ?? [])]);
    const schedules = [
      scheduleJob(sweepJob, {
        id: 'platform.sweep',
        cron: cronEverySeconds(config.sweepIntervalSeconds),
        payload: {},
      }),
      ...modules.flatMap((module) => module.schedules ?? []),
    ];

    return {
      ...platform,
      modules,
      async startWorker() {
        await platform.jobs.consume(platform);
        for (const schedule of schedules) await schedule.install(platform.jobs);
        for (const module of modules) await module.startWorker?.(platform);
      },
      async close() {
        for (const cleanup of cleanups) {
          try {
            await cleanup();
          } catch (error) {
            logger.warn({ err: error }, 'error while shutting down');
          }
        }
        logger.flush();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    throw error;
  }
}

/**
 * The configured master keys; embedded mode without one uses (or creates) a key file under DATA_DIR,
 * and an in-memory database gets a throwaway key. Scale mode without a key is refused by loadConfig.
 */
function resolveKeyRing(config: Config, logger: { warn(obj: object, msg: string): void }): KeyRing {
  if (config.tokenMasterKey) return parseKeyRing(config.tokenMasterKey);
  if (config.dataDir === 'memory://') return parseKeyRing(randomBytes(32).toString('base64'));
  const { ring, created, path } = loadOrCreateLocalKey(config.dataDir);
  if (created) {
    logger.warn(
      { path },
      'generated a vault master key for embedded mode; back it up with the data directory',
    );
  }
  return ring;
}

/** A cron pattern (with seconds) that fires every `seconds` seconds, for intervals up to an hour. */
export function cronEverySeconds(seconds: number): string {
  if (seconds < 60) return `*/${seconds} * * * * *`;
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes >= 60 ? '0 0 * * * *' : `0 */${minutes} * * * *`;
}
