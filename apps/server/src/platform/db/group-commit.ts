/**
 * Group commit: while one batch statement is in flight, arriving items wait and go together in the
 * next one. At low load every item is its own batch (no added latency); under load round trips are
 * shared, which is what lets one process do thousands of writes a second. Each caller's promise
 * settles with its own result once its batch has run; a failing batch rejects all its callers.
 */
export class GroupCommit<TItem, TResult> {
  private queue: { item: TItem; resolve(result: TResult): void; reject(error: unknown): void }[] = [];
  private inFlight = false;

  /** `runBatch` returns one result per item, in the items' order. */
  constructor(
    private readonly runBatch: (items: TItem[]) => Promise<TResult[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(item: TItem): Promise<TResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.inFlight) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.inFlight = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.runBatch(batch.map((entry) => entry.item));
        for (const [i, entry] of batch.entries()) entry.resolve(results[i] as TResult);
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.inFlight = false;
  }
}
