import { and, eq } from 'drizzle-orm';
import type { Platform } from '../../platform/context.js';
import { markNeedsReauth } from '../channels/channels.health.js';
import { channels } from '../channels/channels.tables.js';
import type { MessageError } from './messages.tables.js';

/**
 * Meta said the token is dead (190) during a send: the channels module marks the WABA and its numbers
 * `needs_reauth`, audits it, publishes the event and tells the owners. Sends refuse until reconnected.
 */
export async function markChannelNeedsReauth(
  platform: Platform,
  workspaceId: string,
  channelId: string,
  error: MessageError,
): Promise<void> {
  const [channel] = await platform.db
    .select({ wabaId: channels.wabaId })
    .from(channels)
    .where(and(eq(channels.workspaceId, workspaceId), eq(channels.id, channelId)));
  if (!channel) return;
  await markNeedsReauth(platform, workspaceId, channel.wabaId, {
    code: error.code,
    message: error.reason ?? error.message ?? 'access token rejected by Meta',
  });
}
