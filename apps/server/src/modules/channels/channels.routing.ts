import { and, eq, ne } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Executor } from '../../platform/db/client.js';
import { type ChannelStatus, channels } from './channels.tables.js';

export interface RoutedChannel {
  id: string;
  workspaceId: string;
  status: ChannelStatus;
}

const TTL_MS = 30_000;

/**
 * Finds the workspace channel of a Meta phone_number_id for webhook routing. Cached briefly per
 * process: routing runs for every webhook item, and a number changes owner only by disconnecting.
 */
export class ChannelRouter {
  // Unknown numbers are cached too (as `channel: null`): an unrouted number's webhooks do not each query.
  private readonly cache = new LRUCache<string, { channel: RoutedChannel | null }>({
    max: 10_000,
    ttl: TTL_MS,
  });

  /** `db`: where to look on a cache miss (the caller's transaction, when it has one). */
  async byPhoneNumberId(db: Executor, phoneNumberId: string): Promise<RoutedChannel | null> {
    const hit = this.cache.get(phoneNumberId);
    if (hit) return hit.channel;
    const [row] = await db
      .select({ id: channels.id, workspaceId: channels.workspaceId, status: channels.status })
      .from(channels)
      .where(and(eq(channels.phoneNumberId, phoneNumberId), ne(channels.status, 'disconnected')));
    const channel = row ?? null;
    this.cache.set(phoneNumberId, { channel });
    return channel;
  }

  forget(phoneNumberId: string): void {
    this.cache.delete(phoneNumberId);
  }
}
