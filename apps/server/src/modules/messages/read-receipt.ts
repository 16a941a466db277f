import { GraphError } from '@openwaba/cloud-api';
import type { Platform } from '../../platform/context.js';
import { sendingCredentials } from '../channels/channels.credentials.js';

export type ReadReceiptFailure = 'channel_needs_reauth' | 'channel_not_connected' | 'refused_by_meta';

/**
 * Meta's read receipt (blue ticks) for one inbound message, which marks every earlier one of the chat
 * read too. Used by the messages API and by the inbox's "mark read".
 */
export async function sendReadReceipt(
  platform: Platform,
  workspaceId: string,
  message: { channelId: string; wamid: string },
  options: { typingIndicator?: boolean } = {},
): Promise<{ ok: true } | { ok: false; reason: ReadReceiptFailure }> {
  const credentials = await sendingCredentials(platform, workspaceId, message.channelId);
  if (!credentials.ok) {
    return {
      ok: false,
      reason: credentials.reason === 'needs_reauth' ? 'channel_needs_reauth' : 'channel_not_connected',
    };
  }
  try {
    await platform.graph.markRead({
      accessToken: credentials.accessToken,
      phoneNumberId: credentials.channel.phoneNumberId,
      messageId: message.wamid,
      typingIndicator: options.typingIndicator,
    });
    return { ok: true };
  } catch (error) {
    if (error instanceof GraphError) return { ok: false, reason: 'refused_by_meta' };
    throw error;
  }
}
