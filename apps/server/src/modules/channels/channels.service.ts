import type { Platform } from '../../platform/context.js';
import type { Actor } from '../../platform/http/auth.js';
import { AppError, notFound } from '../../platform/http/errors.js';
import { VaultError } from '../../platform/vault/vault.js';
import { recordAudit } from '../audit/audit.service.js';
import { channelChanged } from './channels.events.js';
import { describeFailure, isTokenRejected, type SyncResult, syncWaba } from './channels.health.js';
import {
  type ChannelWithWaba,
  findChannel,
  liveChannelsOfWaba,
  updateChannel,
  updateWaba,
} from './channels.repository.js';

/** The channel as the API shows it: health from Meta, our status, never a secret or a vault id. */
export function channelView({ channel, waba }: ChannelWithWaba) {
  return {
    id: channel.id,
    wabaId: waba.id,
    wabaExternalId: waba.externalId,
    wabaStatus: waba.status,
    phoneNumberId: channel.phoneNumberId,
    displayPhoneNumber: channel.displayPhoneNumber,
    verifiedName: channel.verifiedName,
    status: channel.status,
    qualityRating: channel.qualityRating,
    messagingLimitTier: channel.messagingLimitTier,
    throughputLevel: channel.throughputLevel,
    lastError: channel.lastError ?? null,
    registeredAt: channel.registeredAt,
    lastSyncedAt: channel.lastSyncedAt,
    createdAt: channel.createdAt,
    updatedAt: channel.updatedAt,
  };
}

export type ChannelView = ReturnType<typeof channelView>;

/**
 * Disconnects a number: the channel becomes `disconnected` and its PIN is destroyed. When it was the
 * WABA's last live number, the app is unsubscribed from the WABA's webhooks (best effort: a dead token
 * or an outage must not keep a workspace from letting go of a number), the WABA is marked disconnected
 * and its sealed token destroyed. Disconnecting twice changes nothing.
 */
export async function disconnectChannel(
  platform: Platform,
  actor: Actor,
  workspaceId: string,
  channelId: string,
): Promise<ChannelView> {
  const found = await findChannel(platform.db, workspaceId, channelId);
  if (!found) throw notFound('Channel');
  if (found.channel.status === 'disconnected') return channelView(found);
  const { channel, waba } = found;
  const others = (await liveChannelsOfWaba(platform.db, workspaceId, waba.id)).filter(
    (c) => c.id !== channelId,
  );
  const lastOfWaba = others.length === 0;

  let unsubscribed: boolean | null = null;
  let unsubscribeError: string | null = null;
  if (lastOfWaba && waba.tokenSecretId && waba.status === 'active') {
    try {
      const accessToken = await platform.vault.reveal(workspaceId, waba.tokenSecretId);
      await platform.graph.unsubscribeApp({ accessToken, wabaId: waba.externalId });
      unsubscribed = true;
    } catch (error) {
      unsubscribed = false;
      unsubscribeError = describeFailure(error).message;
      platform.logger.warn(
        { workspaceId, wabaId: waba.id, tokenRejected: isTokenRejected(error) },
        'unsubscribing the app from a WABA failed; disconnecting anyway',
      );
    }
  }

  await platform.db.transaction(async (tx) => {
    if (channel.pinSecretId) await platform.vault.destroy(tx, workspaceId, channel.pinSecretId);
    await updateChannel(tx, workspaceId, channelId, { status: 'disconnected', pinSecretId: null });
    if (lastOfWaba) {
      if (waba.tokenSecretId) await platform.vault.destroy(tx, workspaceId, waba.tokenSecretId);
      await updateWaba(tx, workspaceId, waba.id, { status: 'disconnected', tokenSecretId: null });
    }
    await recordAudit(tx, actor, {
      workspaceId,
      action: 'channel.disconnected',
      resourceType: 'channel',
      resourceId: channelId,
      before: { status: channel.status },
      after: {
        status: 'disconnected',
        phoneNumberId: channel.phoneNumberId,
        wabaDisconnected: lastOfWaba,
        unsubscribed,
        unsubscribeError,
      },
    });
  });
  await platform.events.publish(channelChanged, {
    workspaceId,
    channelId,
    status: 'disconnected',
    change: 'disconnected',
  });
  const after = await findChannel(platform.db, workspaceId, channelId);
  return channelView(after!);
}

/** "Sync now": refreshes the channel's WABA from Meta and answers the channel, or why it could not. */
export async function syncChannelNow(
  platform: Platform,
  actor: Actor,
  workspaceId: string,
  channelId: string,
): Promise<ChannelView> {
  const found = await findChannel(platform.db, workspaceId, channelId);
  if (!found || found.channel.status === 'disconnected') throw notFound('Channel');
  let result: SyncResult;
  try {
    result = await syncWaba(platform, workspaceId, found.waba.id, actor);
  } catch (error) {
    // Fail closed: a sealed token that does not open (tampered, or its master key is gone) is never used.
    if (error instanceof VaultError) {
      platform.logger.error({ workspaceId, channelId }, 'a WABA token could not be opened');
      throw new AppError('internal', 'The channel’s sealed credentials could not be opened; reconnect it');
    }
    throw error;
  }
  if (!result.ok) {
    switch (result.reason) {
      case 'needs_reauth':
        throw new AppError(
          'channel_needs_reauth',
          `Meta rejected this number’s access token; reconnect it to resume sending and syncing (${result.message})`,
        );
      case 'not_found':
        throw notFound('Channel');
      case 'no_token':
        throw new AppError('channel_not_connected', 'This channel has no access token; reconnect it');
      case 'upstream_failed':
        throw new AppError('upstream_failed', `Meta did not answer the sync: ${result.message}`);
      default:
        throw new Error(`unhandled ${result.reason satisfies never}`);
    }
  }
  const after = await findChannel(platform.db, workspaceId, channelId);
  return channelView(after!);
}
