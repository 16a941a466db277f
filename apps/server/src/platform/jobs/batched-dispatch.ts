import type { Logger } from '../logger.js';
import type { JobQueue } from './catalog.js';

/**
 * Fire-and-forget dispatch for hot paths: items arriving while one flush is in flight go out together
 * in the next, so a burst costs a few queue round trips instead of one each. Failures are only logged —
 * the rows behind these items are durable, and a sweeper re-dispatches them.
 */
export class BatchedDispatcher<TItem> {
  private pending: TItem[] = [];
  private inFlight = false;

  private timer: NodeJS.Timeout | undefined;

  private release: (() => void) | undefined;

  constructor(
    private readonly flushBatch: (items: TItem[]) => Promise<void>,
    private readonly logger: Logger,
    private readonly options: {
      maxBatch?: number;
      lingerMs?: number;
      queue?: Pick<JobQueue, 'holdIdle'>;
    } = {},
  ) {}

  /** Queues an item; it goes out within `lingerMs` (default: at once), with whatever arrived meanwhile. */
  dispatch(item: TItem): void {
    this.pending.push(item);
    this.release ??= this.options.queue?.holdIdle();
    if (this.inFlight || this.timer) return;
    const linger = this.options.lingerMs ?? 0;
    if (linger <= 0 || this.pending.length >= (this.options.maxBatch ?? 500)) {
      void this.flush();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, linger);
  }

  private async flush(): Promise<void> {
    this.inFlight = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.maxBatch ?? 500);
      try {
        await this.flushBatch(batch);
      } catch (error) {
        this.logger.warn({ err: error, count: batch.length }, 'dispatch failed; the sweeper will retry');
      }
    }
    this.inFlight = false;
    this.release?.();
    this.release = undefined;
  }
}

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
