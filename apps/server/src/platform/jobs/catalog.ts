import type { z } from 'zod';
import type { Logger } from '../logger.js';

/**
 * A job is typed data: a name, a zod payload, a retry policy and a handler. Payloads carry ids;
 * the durable state lives in PostgreSQL (ARCHITECTURE.md principle 1), so a lost job only delays work.
 */
export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delayMs: number };
}

export interface JobRunInfo {
  jobId: string;
  /** 1 on the first try. */
  attempt: number;
  /** True when a failure now is final (no retry follows). */
  isFinalAttempt: boolean;
  logger: Logger;
}

/**
 * Run info for one job. The job's child logger is made on first use: building a pino child (with its
 * redaction) for every job costs a busy worker several percent of its CPU, and most jobs never log.
 */
export function jobRunInfo(
  parent: Logger,
  name: string,
  info: { jobId: string; attempt: number; isFinalAttempt: boolean },
): JobRunInfo {
  let logger: Logger | undefined;
  return {
    ...info,
    get logger() {
      logger ??= parent.child({ job: name, jobId: info.jobId, attempt: info.attempt });
      return logger;
    },
  };
}

/** What a handler receives besides its payload; the platform fills it in (see platform/context.ts). */
export interface JobHandlerContext<TDeps> {
  deps: TDeps;
  run: JobRunInfo;
}

export interface JobDefinition<TPayload = unknown, TDeps = unknown> {
  readonly name: string;
  readonly payload: z.ZodType<TPayload>;
  readonly retry: RetryPolicy;
  /** Parallel runs per worker process. */
  readonly concurrency: number;
  handle(payload: TPayload, ctx: JobHandlerContext<TDeps>): Promise<void>;
}

export const defaultRetry: RetryPolicy = { attempts: 5, backoff: { type: 'exponential', delayMs: 1_000 } };

const JOB_NAME = /^[a-z][a-z0-9]*(\.[a-z][a-zA-Z0-9-]*)+$/;

export function defineJob<TSchema extends z.ZodType, TDeps>(definition: {
  name: string;
  payload: TSchema;
  retry?: RetryPolicy;
  concurrency?: number;
  handle(payload: z.output<TSchema>, ctx: JobHandlerContext<TDeps>): Promise<void>;
}): JobDefinition<z.output<TSchema>, TDeps> {
  if (!JOB_NAME.test(definition.name)) {
    throw new Error(`job name "${definition.name}" must look like "module.verb" (lower case, dot separated)`);
  }
  if (definition.retry && definition.retry.attempts < 1) throw new Error('retry.attempts must be at least 1');
  return {
    name: definition.name,
    payload: definition.payload as z.ZodType<z.output<TSchema>>,
    retry: definition.retry ?? defaultRetry,
    concurrency: definition.concurrency ?? 4,
    handle: definition.handle,
  };
}

/** Delay before try number `attempt + 1`, after `attempt` tries have failed (same formula as BullMQ). */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  if (policy.backoff.type === 'fixed') return policy.backoff.delayMs;
  return 2 ** (attempt - 1) * policy.backoff.delayMs;
}

export interface EnqueueOptions {
  /** Dedupes: while a job with this id is waiting, delayed or running, another enqueue is ignored. */
  jobId?: string;
  delayMs?: number;
  /**
   * Coalesces, for jobs that take whatever work is pending rather than only their payload's: at most one
   * job with this key waits at a time (an enqueue meanwhile is dropped: the waiting one will see that
   * work too), and enqueues while one runs make a single follow-up run, with the latest payload, once it
   * ends (it may have looked before that work arrived).
   */
  coalesce?: string;
}

export interface Schedule<TPayload = unknown> {
  /** Stable id; registering the same id again replaces the schedule. */
  id: string;
  /** Cron pattern, 5 fields or 6 with seconds first. */
  cron: string;
  payload: TPayload;
}

export interface JobCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export type JobOutcome = 'completed' | 'retried' | 'failed';

export interface JobObserver {
  onOutcome(jobName: string, outcome: JobOutcome, durationSeconds: number): void;
}

/** The queue port. Two drivers: in-process (embedded mode) and BullMQ (scale mode). */
export interface JobQueue<TDeps = unknown> {
  readonly kind: 'memory' | 'bullmq';
  /** Makes the definitions known; must happen before enqueue or consume. */
  register(definitions: readonly JobDefinition<unknown, TDeps>[]): void;
  enqueue<TPayload>(
    definition: JobDefinition<TPayload, TDeps>,
    payload: TPayload,
    options?: EnqueueOptions,
  ): Promise<void>;
  /** Many jobs of one kind in one round trip (hot paths: webhook intake, campaigns). */
  enqueueMany<TPayload>(
    definition: JobDefinition<TPayload, TDeps>,
    jobs: readonly { payload: TPayload; options?: EnqueueOptions }[],
  ): Promise<void>;
  /**
   * Announces jobs that a batching dispatcher will enqueue shortly; idle() waits until the returned
   * release is called, so a lingering batch is not mistaken for an idle queue.
   */
  holdIdle(): () => void;
  /** Repeating job; only processes that consume install schedules. */
  schedule<TPayload>(definition: JobDefinition<TPayload, TDeps>, schedule: Schedule<TPayload>): Promise<void>;
  /** Starts consuming every registered job in this process (worker role). */
  consume(deps: TDeps): Promise<void>;
  counts(): Promise<Record<string, JobCounts>>;
  /** Resolves once nothing is waiting, delayed or running (tests; memory driver exact, BullMQ polled). */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}
