import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import {
  type EnqueueOptions,
  type JobCounts,
  type JobDefinition,
  type JobObserver,
  type JobQueue,
  jobRunInfo,
  type Schedule,
} from './catalog.js';

interface Entry {
  definition: JobDefinition<unknown, unknown>;
  queue: Queue;
  worker?: Worker;
}

/**
 * BullMQ driver for scale mode: one BullMQ queue per job name, so each job has its own concurrency,
 * counts and backlog. Completed jobs are removed at once so that a job id can be dispatched again by a
 * sweeper; failed ones are kept a day for inspection.
 */
export class BullMqJobQueue<TDeps> implements JobQueue<TDeps> {
  readonly kind = 'bullmq' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly prefix: string;
  private holds = 0;

  constructor(
    /** A connection with maxRetriesPerRequest: null, as BullMQ requires. */
    private readonly connection: Redis,
    keyPrefix: string,
    private readonly logger: Logger,
    private readonly observer?: JobObserver,
  ) {
    this.prefix = `${keyPrefix}:bull`;
  }

  register(definitions: readonly JobDefinition<unknown, TDeps>[]): void {
    for (const definition of definitions) {
      if (this.entries.has(definition.name)) throw new Error(`job ${definition.name} is registered twice`);
      const queue = new Queue(definition.name, { connection: this.connection, prefix: this.prefix });
      queue.on('error', (error) => this.logger.warn({ err: error, job: definition.name }, 'queue error'));
      this.entries.set(definition.name, { definition: definition as JobDefinition<unknown, unknown>, queue });
    }
  }

  async enqueue<TPayload>(
    definition: JobDefinition<TPayload, TDeps>,
    payload: TPayload,
    options: EnqueueOptions = {},
  ): Promise<void> {
    const entry = this.entry(definition.name);
    const data = definition.payload.parse(payload);
    await entry.queue.add(definition.name, data, {
      ...enqueueOptions(options),
      ...this.jobOptions(definition),
    });
  }

  async enqueueMany<TPayload>(
    definition: JobDefinition<TPayload, TDeps>,
    jobs: readonly { payload: TPayload; options?: EnqueueOptions }[],
  ): Promise<void> {
    if (jobs.length === 0) return;
    // A lone job goes as itself: addBulk builds an ioredis Pipeline, and every Pipeline copies BullMQ's
    // 64 scripts onto itself (~70 µs and a large object); the intake's dispatches are mostly one job.
    if (jobs.length === 1) return this.enqueue(definition, jobs[0]!.payload, jobs[0]!.options);
    const entry = this.entry(definition.name);
    const common = this.jobOptions(definition);
    await entry.queue.addBulk(
      jobs.map(({ payload, options = {} }) => ({
        name: definition.name,
        data: definition.payload.parse(payload),
        opts: { ...enqueueOptions(options), ...common },
      })),
    );
  }

  holdIdle(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.holds--;
      }
    };
  }

  async schedule<TPayload>(
    definition: JobDefinition<TPayload, TDeps>,
    schedule: Schedule<TPayload>,
  ): Promise<void> {
    const entry = this.entry(definition.name);
    await entry.queue.upsertJobScheduler(
      schedule.id,
      { pattern: schedule.cron },
      {
        name: definition.name,
        data: definition.payload.parse(schedule.payload),
        opts: this.jobOptions(definition),
      },
    );
  }

  async consume(deps: TDeps): Promise<void> {
    for (const entry of this.entries.values()) {
      const { definition } = entry;
      const worker = new Worker(
        definition.name,
        async (job: Job) => {
          const attempt = job.attemptsMade + 1;
          const payload = definition.payload.parse(job.data);
          await definition.handle(payload, {
            deps,
            run: jobRunInfo(this.logger, definition.name, {
              jobId: job.id ?? '',
              attempt,
              isFinalAttempt: attempt >= definition.retry.attempts,
            }),
          });
        },
        { connection: this.connection, prefix: this.prefix, concurrency: definition.concurrency },
      );
      worker.on('completed', (job) => this.observe(definition.name, 'completed', job));
      worker.on('failed', (job, error) => {
        if (!job) return;
        const final = job.attemptsMade >= definition.retry.attempts;
        const logger = this.logger.child({ job: definition.name, jobId: job.id, attempt: job.attemptsMade });
        if (final) logger.error({ err: error }, 'job failed for good');
        else logger.warn({ err: error }, 'job failed, will retry');
        this.observe(definition.name, final ? 'failed' : 'retried', job);
      });
      worker.on('error', (error) => this.logger.warn({ err: error, job: definition.name }, 'worker error'));
      entry.worker = worker;
    }
    await Promise.all([...this.entries.values()].map((entry) => entry.worker?.waitUntilReady()));
  }

  async counts(): Promise<Record<string, JobCounts>> {
    const out: Record<string, JobCounts> = {};
    await Promise.all(
      [...this.entries].map(async ([name, entry]) => {
        const counts = await entry.queue.getJobCounts(
          'waiting',
          'active',
          'delayed',
          'failed',
          'prioritized',
        );
        out[name] = {
          waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
        };
      }),
    );
    return out;
  }

  async idle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Counts are read queue by queue while jobs move between states: only two quiet readings in a row
    // 50 ms apart count as idle.
    let quietReadings = 0;
    for (;;) {
      const busy = await Promise.all(
        [...this.entries.values()].map(async ({ queue }) => {
          const counts = await queue.getJobCounts(
            'waiting',
            'active',
            'delayed',
            'prioritized',
            'waiting-children',
          );
          // Each job scheduler keeps its next run as one delayed job; that is not pending work.
          const schedulers = await queue.getJobSchedulersCount();
          const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
          return total - schedulers > 0;
        }),
      );
      quietReadings = this.holds === 0 && !busy.some(Boolean) ? quietReadings + 1 : 0;
      if (quietReadings >= 2) return;
      if (Date.now() > deadline) throw new Error(`job queue not idle after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, quietReadings > 0 ? 50 : 25));
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => entry.worker?.close()));
    await Promise.all([...this.entries.values()].map((entry) => entry.queue.close()));
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`job ${name} is not registered`);
    return entry;
  }

  private jobOptions(definition: JobDefinition<unknown, TDeps> | JobDefinition<unknown, TDeps>) {
    return {
      attempts: definition.retry.attempts,
      backoff: { type: definition.retry.backoff.type, delay: definition.retry.backoff.delayMs },
      removeOnComplete: true,
      // A job that failed for good is logged and counted; the durable state is its Postgres row. Kept in
      // Redis, it would hold its id and silently swallow the sweeper's re-dispatch of that row, which
      // the in-process driver accepts at once.
      removeOnFail: true,
    };
  }

  private observe(name: string, outcome: 'completed' | 'retried' | 'failed', job: Job): void {
    const finished = job.finishedOn ?? Date.now();
    const started = job.processedOn ?? finished;
    this.observer?.onOutcome(name, outcome, Math.max(0, finished - started) / 1000);
  }
}

/** One enqueue's own options in BullMQ's terms. */
function enqueueOptions(options: EnqueueOptions) {
  return {
    ...(options.jobId ? { jobId: options.jobId } : {}),
    ...(options.delayMs ? { delay: options.delayMs } : {}),
    // Coalescing is BullMQ's deduplication that keeps the latest enqueue made while one job runs.
    ...(options.coalesce ? { deduplication: { id: options.coalesce, keepLastIfActive: true } } : {}),
  };
}
