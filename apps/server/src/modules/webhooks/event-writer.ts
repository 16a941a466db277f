import { sql } from 'drizzle-orm';
import { type Database, queryPrepared } from '../../platform/db/client.js';
import { GroupCommit } from '../../platform/db/group-commit.js';
import { newId } from '../../platform/ids.js';
import { webhookEvents } from './webhooks.tables.js';

export interface StoredEvent {
  id: string;
  /** False when the same bytes were stored before (a Meta retry); `id` is then the earlier row's. */
  fresh: boolean;
}

const MAX_BATCH = 500;

/**
 * At 1,000 webhooks/s without a linger, 600 of every 1,000 POSTs were an INSERT and a commit of their
 * own; 2 ms makes it ~400 (2.6 rows each) and took the scale-mode processing benchmark's machine from
 * 86–88% to 74–80% busy (bench/RESULTS.md, session 10). Meta asks for a median ack under 250 ms.
 */
const LINGER_MS = 2;

interface Incoming {
  body: string;
  contentHash: string;
}

/**
 * Stores webhook bodies by group commit: events arriving while one multi-row INSERT is in flight (or
 * within LINGER_MS of the first) go in the next, which is what lets one server take thousands of
 * webhooks a second. Each caller's promise settles only after its row is committed.
 */
export class WebhookEventWriter {
  private readonly commits: GroupCommit<Incoming, StoredEvent>;

  constructor(private readonly db: Database) {
    this.commits = new GroupCommit((batch) => this.insert(batch), {
      maxBatch: MAX_BATCH,
      lingerMs: LINGER_MS,
    });
  }

  store(body: string, contentHash: string): Promise<StoredEvent> {
    return this.commits.submit({ body, contentHash });
  }

  private async insert(batch: Incoming[]): Promise<StoredEvent[]> {
    // The same body twice in one batch would make ON CONFLICT touch a row twice: keep the first.
    const unique = new Map<string, Incoming>();
    for (const item of batch) if (!unique.has(item.contentHash)) unique.set(item.contentHash, item);
    const rows = [...unique.values()].map((item) => ({
      id: newId('webhookEvent'),
      body: item.body,
      content_hash: item.contentHash,
    }));
    // One JSON parameter for the whole batch (hundreds of bodies): no per-value statement building.
    const inserted = await queryPrepared<{ id: string; content_hash: string }>(
      this.db,
      'webhook_events_insert',
      `insert into webhook_events (id, body, content_hash)
        select id, body, content_hash from json_populate_recordset(null::webhook_events, $1::json)
        on conflict (content_hash) do nothing
        returning id, content_hash`,
      [JSON.stringify(rows)],
    );
    const ids = new Map(inserted.map((row) => [row.content_hash, { id: row.id, fresh: true }]));
    const missing = rows.filter((row) => !ids.has(row.content_hash)).map((row) => row.content_hash);
    if (missing.length > 0) {
      const earlier = await this.db
        .select({ id: webhookEvents.id, contentHash: webhookEvents.contentHash })
        .from(webhookEvents)
        .where(sql`${webhookEvents.contentHash} in ${missing}`);
      for (const row of earlier) ids.set(row.contentHash, { id: row.id, fresh: false });
    }
    const firstOfHash = new Set<string>();
    return batch.map((item) => {
      const stored = ids.get(item.contentHash);
      if (!stored) throw new Error('webhook event row vanished after insert');
      const repeat = firstOfHash.has(item.contentHash);
      firstOfHash.add(item.contentHash);
      return repeat ? { id: stored.id, fresh: false } : stored;
    });
  }
}
