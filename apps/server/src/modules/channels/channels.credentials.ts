import { and, eq, sql } from 'drizzle-orm';
import type { Platform } from '../../platform/context.js';
import { preparedStatement } from '../../platform/db/client.js';
import { type ChannelRow, channels, type WabaRow, wabas } from './channels.tables.js';

export type ChannelUnusable = {
  ok: false;
  reason: 'not_found' | 'not_connected' | 'needs_reauth' | 'no_token';
  status?: string;
};
export type SendingCredentials =
  | { ok: true; channel: ChannelRow; wabaExternalId: string; accessToken: string }
  | ChannelUnusable;

/** Whether a channel (read with its WABA) can send now, and with which sealed token. */
export function usableChannel<C extends Pick<ChannelRow, 'status'>>(
  row: { channel: C; waba: Pick<WabaRow, 'status' | 'externalId' | 'tokenSecretId'> } | undefined,
): { ok: true; channel: C; wabaExternalId: string; tokenSecretId: string } | ChannelUnusable {
  if (!row) return { ok: false, reason: 'not_found' };
  if (row.channel.status === 'needs_reauth' || row.waba.status === 'needs_reauth') {
    return { ok: false, reason: 'needs_reauth', status: row.channel.status };
  }
  if (row.channel.status !== 'connected')
    return { ok: false, reason: 'not_connected', status: row.channel.status };
  if (!row.waba.tokenSecretId) return { ok: false, reason: 'no_token' };
  return {
    ok: true,
    channel: row.channel,
    wabaExternalId: row.waba.externalId,
    tokenSecretId: row.waba.tokenSecretId,
  };
}

// Every send reads its channel: a prepared statement.
const channelWithWaba = preparedStatement((db) =>
  db
    .select({ channel: channels, waba: wabas })
    .from(channels)
    .innerJoin(wabas, eq(wabas.id, channels.wabaId))
    .where(
      and(
        eq(channels.workspaceId, sql.placeholder('workspaceId')),
        eq(channels.id, sql.placeholder('channelId')),
      ),
    )
    .prepare('channel_with_waba'),
);

/**
 * What the send path and the syncs need to call Meta for a channel: the channel row, its WABA's Meta id
 * and the opened access token. The token lives in memory only (the vault caches it for a minute).
 */
export async function sendingCredentials(
  platform: Platform,
  workspaceId: string,
  channelId: string,
): Promise<SendingCredentials> {
  const [row] = await channelWithWaba(platform.db).execute({ workspaceId, channelId });
  const usable = usableChannel(row);
  if (!usable.ok) return usable;
  const accessToken = await platform.vault.reveal(workspaceId, usable.tokenSecretId);
  return { ok: true, channel: usable.channel, wabaExternalId: usable.wabaExternalId, accessToken };
}
