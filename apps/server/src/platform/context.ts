import type { GraphClient } from '@openwaba/cloud-api';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Config } from '../config.js';
import type { Database, DatabaseHandle } from './db/client.js';
import type { EventBus } from './events/event-bus.js';
import {
  defineJob,
  type JobDefinition,
  type JobHandlerContext,
  type JobQueue,
  type RetryPolicy,
  type Schedule,
} from './jobs/catalog.js';
import type { Logger } from './logger.js';
import type { Mailer } from './mailer.js';
import type { MediaStore } from './media-store.js';
import type { Metrics } from './metrics.js';
import type { RateLimits } from './ratelimit/rate-limits.js';
import type { Vault } from './vault/vault.js';

/** Everything a module may use, built once per process by createPlatform(). */
export interface Platform {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  db: Database;
  jobs: JobQueue<Platform>;
  rateLimits: RateLimits;
  events: EventBus;
  metrics: Metrics;
  /** Sealed secrets: access tokens, PINs, signing secrets. */
  vault: Vault;
  /** Outgoing email (console in embedded mode; an SMTP adapter can replace it). */
  mailer: Mailer;
  /** Media files (inbound downloads, outbound uploads). */
  media: MediaStore;
  /** Meta's Graph API (or the simulator: only the base URL differs). Tokens are passed per call. */
  graph: GraphClient;
  /** Present in scale mode only. */
  redis: Redis | undefined;
}

export type PlatformJob<TPayload = unknown> = JobDefinition<TPayload, Platform>;
export type PlatformJobContext = JobHandlerContext<Platform>;

/** defineJob with the platform as the handler's dependencies. */
export function definePlatformJob<TSchema extends z.ZodType>(definition: {
  name: string;
  payload: TSchema;
  retry?: RetryPolicy;
  concurrency?: number;
  handle(payload: z.output<TSchema>, ctx: PlatformJobContext): Promise<void>;
}): PlatformJob<z.output<TSchema>> {
  return defineJob<TSchema, Platform>(definition);
}

/**
 * Re-dispatches rows left pending (principle 1): a sweeper finds work in PostgreSQL that no queue holds
 * any more and enqueues it again. Returns how many it re-dispatched.
 */
export interface Sweeper {
  name: string;
  sweep(platform: Platform): Promise<number>;
}

export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A repeating job, installed by processes that consume jobs. Build with scheduleJob(). */
export interface ModuleSchedule {
  id: string;
  install(jobs: JobQueue<Platform>): Promise<void>;
}

export function scheduleJob<TPayload>(
  job: PlatformJob<TPayload>,
  schedule: Schedule<TPayload>,
): ModuleSchedule {
  return { id: schedule.id, install: (jobs) => jobs.schedule(job, schedule) };
}

/** A domain module: its routes, jobs, schedules and sweepers. Listed in modules/index.ts. */
export interface PlatformModule {
  name: string;
  routes?(app: HttpApp, platform: Platform): void | Promise<void>;
  jobs?: readonly PlatformJob<unknown>[];
  schedules?: readonly ModuleSchedule[];
  sweepers?: readonly Sweeper[];
  /** Runs in processes that consume jobs (worker and all), after the queue starts. */
  startWorker?(platform: Platform): Promise<void>;
}

/**
 * A value made once per platform, on first use: caches, coordinators, group-commit writers. Keyed by
 * the config object, which the platform handle and every job context share.
 */
export function perPlatform<T>(create: (platform: Platform) => T): (platform: Platform) => T {
  const values = new WeakMap<object, T>();
  return (platform) => {
    let value = values.get(platform.config);
    if (value === undefined) {
      value = create(platform);
      values.set(platform.config, value);
    }
    return value;
  };
}
