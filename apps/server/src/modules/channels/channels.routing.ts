import { and, eq, ne } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.js';
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
  private readonly cache = new Map<string, { channel: RoutedChannel | null; expires: number }>();

  constructor(private readonly db: Database) {}

  async byPhoneNumberId(phoneNumberId: string): Promise<RoutedChannel | null> {
    const hit = this.cache.get(phoneNumberId);
    if (hit && hit.expires > Date.now()) return hit.channel;
    const [row] = await this.db
      .select({ id: channels.id, workspaceId: channels.workspaceId, status: channels.status })
      .from(channels)
      .where(and(eq(channels.phoneNumberId, phoneNumberId), ne(channels.status, 'disconnected')));
    const channel = row ?? null;
    this.cache.set(phoneNumberId, { channel, expires: Date.now() + TTL_MS });
    return channel;
  }

  forget(phoneNumberId: string): void {
    this.cache.delete(phoneNumberId);
  }
}
