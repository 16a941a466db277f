/**
 * Group commit: while one batch statement is in flight, arriving items wait and go together in the
 * next one. Under load round trips are shared, which is what lets one process do thousands of writes a
 * second. Each caller's promise settles with its own result once its batch has run; a failing batch
 * rejects all its callers.
 *
 * `lingerMs`: an item that finds nothing in flight waits that long for company before its batch goes.
 * Without it, a steady trickle (1,000 a second, one item every millisecond) mostly finds the previous
 * statement done and goes alone: one round trip and one commit per item. A short linger costs each item
 * that much latency and saves most of those round trips and commits.
 */
export class GroupCommit<TItem, TResult> {
  private queue: { item: TItem; resolve(result: TResult): void; reject(error: unknown): void }[] = [];
  private busy = false;
  private readonly maxBatch: number;
  private readonly lingerMs: number;

  /** `runBatch` returns one result per item, in the items' order. */
  constructor(
    private readonly runBatch: (items: TItem[]) => Promise<TResult[]>,
    options: { maxBatch?: number; lingerMs?: number } = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.lingerMs = options.lingerMs ?? 0;
  }

  submit(item: TItem): Promise<TResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.busy) return;
      this.busy = true;
      if (this.lingerMs > 0) setTimeout(() => void this.flush(), this.lingerMs);
      else void this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.runBatch(batch.map((entry) => entry.item));
        for (const [i, entry] of batch.entries()) entry.resolve(results[i] as TResult);
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.busy = false;
  }
}
