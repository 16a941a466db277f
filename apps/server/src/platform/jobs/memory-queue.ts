import { Cron } from 'croner';
import type { Logger } from '../logger.js';
import {
  backoffDelay,
  type EnqueueOptions,
  type JobCounts,
  type JobDefinition,
  type JobObserver,
  type JobQueue,
  jobRunInfo,
  type Schedule,
} from './catalog.js';

interface PendingJob {
  id: string;
  payload: unknown;
  attempt: number;
  coalesce?: string;
}

/** A coalescing key's jobs (EnqueueOptions.coalesce): the one waiting, the one running, the follow-up. */
interface Coalesced {
  waiting?: string;
  running?: string;
  next?: PendingJob;
}

interface Lane {
  definition: JobDefinition<unknown, unknown>;
  ready: PendingJob[];
  delayed: Map<string, NodeJS.Timeout>;
  active: Set<string>;
  coalesced: Map<string, Coalesced>;
  failed: number;
}

/**
 * In-process queue for embedded mode: same semantics as the BullMQ driver (job ids dedupe while a job
 * exists, retries with the policy's backoff, cron schedules) without Redis. Jobs live in memory only;
 * the sweepers re-dispatch from PostgreSQL after a restart.
 */
export class MemoryJobQueue<TDeps> implements JobQueue<TDeps> {
  readonly kind = 'memory' as const;
  private readonly lanes = new Map<string, Lane>();
  private readonly crons = new Map<string, Cron>();
  private readonly idleWaiters = new Set<() => void>();
  private deps: TDeps | undefined;
  private consuming = false;
  private closed = false;
  private sequence = 0;
  private holds = 0;

  constructor(
    private readonly logger: Logger,
    private readonly observer?: JobObserver,
  ) {}

  register(definitions: readonly JobDefinition<unknown, TDeps>[]): void {
    for (const definition of definitions) {
      if (this.lanes.has(definition.name)) throw new Error(`job ${definition.name} is registered twice`);
      this.lanes.set(definition.name, {
        definition: definition as JobDefinition<unknown, unknown>,
        ready: [],
        delayed: new Map(),
        active: new Set(),
        coalesced: new Map(),
        failed: 0,
      });
    }
  }

  async enqueue<TPayload>(
    definition: JobDefinition<TPayload, TDeps>,
    payload: TPayload,
    options: EnqueueOptions = {},
  ): Promise<void> {
    if (this.closed) throw new Error('job queue is closed');
    const lane = this.lane(definition.name);
    assertJobId(options.jobId);
    const parsed = definition.payload.parse(payload);
    const id = options.jobId ?? `${definition.name}:${++this.sequence}`;
    if (lane.active.has(id) || lane.delayed.has(id) || lane.ready.some((job) => job.id === id)) return;
    const job: PendingJob = { id, payload: parsed, attempt: 1, coalesce: options.coalesce };
    if (options.coalesce !== undefined) {
      const coalesced = lane.coalesced.get(options.coalesce) ?? {};
      lane.coalesced.set(options.coalesce, coalesced);
      if (coalesced.waiting) return;
      if (coalesced.running) {
        coalesced.next = job;
        return;
      }
      coalesced.waiting = id;
    }
    this.put(lane, job, options.delayMs ?? 0);
  }

  async enqueueMany<TPayload>(
    definition: JobDefinition<TPayload, TDeps>,
    jobs: readonly { payload: TPayload; options?: EnqueueOptions }[],
  ): Promise<void> {
    for (const job of jobs) await this.enqueue(definition, job.payload, job.options);
  }

  holdIdle(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.notifyIfIdle();
    };
  }

  async schedule<TPayload>(
    definition: JobDefinition<TPayload, TDeps>,
    schedule: Schedule<TPayload>,
  ): Promise<void> {
    this.lane(definition.name);
    const payload = definition.payload.parse(schedule.payload);
    this.crons.get(schedule.id)?.stop();
    const cron = new Cron(schedule.cron, { protect: true, paused: !this.consuming }, () => {
      void this.enqueue(definition, payload, { jobId: `schedule-${schedule.id}` });
    });
    this.crons.set(schedule.id, cron);
  }

  async consume(deps: TDeps): Promise<void> {
    this.deps = deps;
    this.consuming = true;
    for (const cron of this.crons.values()) cron.resume();
    for (const lane of this.lanes.values()) this.pump(lane);
  }

  async counts(): Promise<Record<string, JobCounts>> {
    const out: Record<string, JobCounts> = {};
    for (const [name, lane] of this.lanes) {
      out[name] = {
        waiting: lane.ready.length,
        active: lane.active.size,
        delayed: lane.delayed.size,
        failed: lane.failed,
      };
    }
    return out;
  }

  idle(timeoutMs = 10_000): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.idleWaiters.delete(done);
        reject(new Error(`job queue not idle after ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.add(done);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const cron of this.crons.values()) cron.stop();
    for (const lane of this.lanes.values()) {
      for (const timer of lane.delayed.values()) clearTimeout(timer);
      lane.delayed.clear();
      lane.ready.length = 0;
      lane.coalesced.clear();
    }
    const deadline = Date.now() + 10_000;
    while ([...this.lanes.values()].some((lane) => lane.active.size > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private lane(name: string): Lane {
    const lane = this.lanes.get(name);
    if (!lane) throw new Error(`job ${name} is not registered`);
    return lane;
  }

  private put(lane: Lane, job: PendingJob, delayMs: number): void {
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        lane.delayed.delete(job.id);
        if (this.closed) return;
        lane.ready.push(job);
        this.pump(lane);
      }, delayMs);
      timer.unref();
      lane.delayed.set(job.id, timer);
      return;
    }
    lane.ready.push(job);
    this.pump(lane);
  }

  private pump(lane: Lane): void {
    if (!this.consuming || this.closed) return;
    while (lane.active.size < lane.definition.concurrency && lane.ready.length > 0) {
      const job = lane.ready.shift()!;
      lane.active.add(job.id);
      const coalesced = coalescedOf(lane, job);
      if (coalesced) {
        coalesced.waiting = undefined;
        coalesced.running = job.id;
      }
      void this.run(lane, job);
    }
    this.notifyIfIdle();
  }

  private async run(lane: Lane, job: PendingJob): Promise<void> {
    const { definition } = lane;
    const started = performance.now();
    const isFinalAttempt = job.attempt >= definition.retry.attempts;
    const run = jobRunInfo(this.logger, definition.name, {
      jobId: job.id,
      attempt: job.attempt,
      isFinalAttempt,
    });
    // A retry is put back only after this attempt has left `active`: a zero-delay retry starts at
    // once, and deleting the id afterwards would drop the retry's marker (its id would stop deduping).
    let retry: PendingJob | undefined;
    try {
      const payload = definition.payload.parse(job.payload);
      await definition.handle(payload, { deps: this.deps as unknown, run });
      this.observer?.onOutcome(definition.name, 'completed', (performance.now() - started) / 1000);
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      if (isFinalAttempt) {
        lane.failed++;
        run.logger.error({ err: error }, 'job failed for good');
        this.observer?.onOutcome(definition.name, 'failed', seconds);
      } else {
        run.logger.warn({ err: error }, 'job failed, will retry');
        this.observer?.onOutcome(definition.name, 'retried', seconds);
        retry = { ...job, attempt: job.attempt + 1 };
      }
    } finally {
      lane.active.delete(job.id);
      const coalesced = coalescedOf(lane, job);
      if (coalesced) coalesced.running = undefined;
      if (retry && !this.closed) {
        if (coalesced) coalesced.waiting = retry.id;
        this.put(lane, retry, backoffDelay(definition.retry, job.attempt));
      } else if (coalesced?.next && !this.closed) {
        const next = coalesced.next;
        coalesced.next = undefined;
        coalesced.waiting = next.id;
        this.put(lane, next, 0);
      } else if (coalesced && !coalesced.waiting && job.coalesce !== undefined) {
        lane.coalesced.delete(job.coalesce);
      }
      this.pump(lane);
    }
  }

  private isIdle(): boolean {
    if (this.holds > 0) return false;
    for (const lane of this.lanes.values()) {
      if (lane.ready.length > 0 || lane.active.size > 0 || lane.delayed.size > 0) return false;
    }
    return true;
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.size === 0 || !this.isIdle()) return;
    for (const resolve of this.idleWaiters) resolve();
    this.idleWaiters.clear();
  }
}

/** The state of the coalescing key a job was enqueued with, if any. */
function coalescedOf(lane: Lane, job: PendingJob): Coalesced | undefined {
  return job.coalesce === undefined ? undefined : lane.coalesced.get(job.coalesce);
}

/** BullMQ refuses custom job ids containing ':'; the in-process driver refuses them too, so both modes agree. */
export function assertJobId(jobId: string | undefined): void {
  if (jobId?.includes(':')) throw new Error(`job id "${jobId}" must not contain ':'`);
}
