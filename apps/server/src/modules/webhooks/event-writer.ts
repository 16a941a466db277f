import { sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.js';
import { newId } from '../../platform/ids.js';
import { webhookEvents } from './webhooks.tables.js';

export interface StoredEvent {
  id: string;
  /** False when the same bytes were stored before (a Meta retry); `id` is then the earlier row's. */
  fresh: boolean;
}

interface Pending {
  body: string;
  contentHash: string;
  resolve(result: StoredEvent): void;
  reject(error: unknown): void;
}

const MAX_BATCH = 500;

/**
 * Group commit for webhook intake: while one INSERT is in flight, arriving events wait and go in the
 * next multi-row INSERT. At low load each event is its own insert (no added latency); under load the
 * round trips are shared, which is what lets one server take thousands of webhooks a second. Each
 * caller's promise settles only after its row is committed.
 */
export class WebhookEventWriter {
  private queue: Pending[] = [];
  private inFlight = false;

  constructor(private readonly db: Database) {}

  store(body: string, contentHash: string): Promise<StoredEvent> {
    return new Promise((resolve, reject) => {
      this.queue.push({ body, contentHash, resolve, reject });
      if (!this.inFlight) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.inFlight = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.insert(batch);
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    this.inFlight = false;
  }

  private async insert(batch: Pending[]): Promise<void> {
    // The same body twice in one batch would make ON CONFLICT touch a row twice: keep the first.
    const unique = new Map<string, Pending>();
    for (const item of batch) if (!unique.has(item.contentHash)) unique.set(item.contentHash, item);
    const rows = [...unique.values()].map((item) => ({
      id: newId('webhookEvent'),
      body: item.body,
      contentHash: item.contentHash,
    }));
    const inserted = await this.db
      .insert(webhookEvents)
      .values(rows)
      .onConflictDoNothing({ target: webhookEvents.contentHash })
      .returning({ id: webhookEvents.id, contentHash: webhookEvents.contentHash });
    const ids = new Map(inserted.map((row) => [row.contentHash, { id: row.id, fresh: true }]));
    const missing = rows.filter((row) => !ids.has(row.contentHash)).map((row) => row.contentHash);
    if (missing.length > 0) {
      const earlier = await this.db
        .select({ id: webhookEvents.id, contentHash: webhookEvents.contentHash })
        .from(webhookEvents)
        .where(sql`${webhookEvents.contentHash} in ${missing}`);
      for (const row of earlier) ids.set(row.contentHash, { id: row.id, fresh: false });
    }
    const firstOfHash = new Set<string>();
    for (const item of batch) {
      const stored = ids.get(item.contentHash);
      if (!stored) {
        item.reject(new Error('webhook event row vanished after insert'));
        continue;
      }
      const repeat = firstOfHash.has(item.contentHash);
      firstOfHash.add(item.contentHash);
      item.resolve(repeat ? { id: stored.id, fresh: false } : stored);
    }
  }
}
