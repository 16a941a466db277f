import type { Logger } from '../logger.js';
import type { EnqueueOptions, JobDefinition, JobQueue } from './catalog.js';

/**
 * Fire-and-forget dispatch for hot paths: jobs arriving while one `enqueueMany` is in flight go out
 * together in the next one, so a burst costs a few queue round trips instead of one each. Failures are
 * only logged — the rows behind these jobs are durable, and a sweeper re-dispatches them.
 */
export class BatchedDispatcher<TPayload, TDeps> {
  private pending: { payload: TPayload; options?: EnqueueOptions }[] = [];
  private inFlight = false;

  constructor(
    private readonly queue: JobQueue<TDeps>,
    private readonly definition: JobDefinition<TPayload, TDeps>,
    private readonly logger: Logger,
    private readonly maxBatch = 500,
  ) {}

  dispatch(payload: TPayload, options?: EnqueueOptions): void {
    this.pending.push({ payload, options });
    if (!this.inFlight) void this.flush();
  }

  private async flush(): Promise<void> {
    this.inFlight = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        await this.queue.enqueueMany(this.definition, batch);
      } catch (error) {
        this.logger.warn(
          { err: error, job: this.definition.name, count: batch.length },
          'dispatch failed; the sweeper will retry',
        );
      }
    }
    this.inFlight = false;
  }
}
