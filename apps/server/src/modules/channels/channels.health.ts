import { GraphApiError, GraphError, type PhoneNumber } from '@openwaba/cloud-api';
import { eq } from 'drizzle-orm';
import type { Platform } from '../../platform/context.js';
import { type Actor, systemActor } from '../../platform/http/auth.js';
import { VaultError } from '../../platform/vault/vault.js';
import { recordAudit } from '../audit/audit.service.js';
import { channelChanged, channelNeedsReauth } from './channels.events.js';
import { noticeOwnersOfReauthJob } from './channels.notices.js';
import {
  findWaba,
  liveChannelsOfWaba,
  markChannelsOfWaba,
  updateChannel,
  updateWaba,
} from './channels.repository.js';
import { type ChannelRow, wabas } from './channels.tables.js';

/** Meta's code for an invalid, expired or revoked access token. */
export const TOKEN_REJECTED = 190;

export interface FailureSummary {
  code?: number;
  message: string;
}

/** What to store and show about a failed call: Meta's code and most specific words, never a secret. */
export function describeFailure(error: unknown): FailureSummary {
  if (error instanceof GraphApiError) {
    const message = [error.metaMessage, error.details].filter(Boolean).join(' — ') || error.message;
    return error.code === undefined ? { message } : { code: error.code, message };
  }
  if (error instanceof GraphError) return { message: error.message };
  if (error instanceof VaultError) return { message: 'The sealed access token could not be opened' };
  return { message: 'Unexpected error' };
}

export function isTokenRejected(error: unknown): boolean {
  return error instanceof GraphApiError && error.code === TOKEN_REJECTED;
}

/**
 * Meta rejected the WABA's token: the WABA and its numbers become `needs_reauth`, the reason is kept, and
 * the owners are told through `channel.needs_reauth`. Sends and syncs refuse such channels until a new
 * token arrives (reconnecting runs onboarding again). Idempotent: a WABA already marked changes nothing.
 */
export async function markNeedsReauth(
  platform: Platform,
  workspaceId: string,
  wabaId: string,
  failure: FailureSummary,
  actor: Actor = systemActor('channels'),
): Promise<void> {
  const marked = await platform.db.transaction(async (tx) => {
    const waba = await updateWaba(
      tx,
      workspaceId,
      wabaId,
      { status: 'needs_reauth' },
      eq(wabas.status, 'active'),
    );
    if (!waba) return null;
    const channelIds = await markChannelsOfWaba(tx, workspaceId, wabaId, {
      status: 'needs_reauth',
      lastError: { ...failure, step: 'auth' },
    });
    await recordAudit(tx, actor, {
      workspaceId,
      action: 'waba.needs_reauth',
      resourceType: 'waba',
      resourceId: wabaId,
      after: { status: 'needs_reauth', code: failure.code, reason: failure.message, channelIds },
    });
    return { channelIds };
  });
  if (!marked) return;
  platform.logger.warn({ workspaceId, wabaId, code: failure.code }, 'Meta rejected a WABA token');
  await platform.events.publish(channelNeedsReauth, {
    workspaceId,
    wabaId,
    channelIds: marked.channelIds,
    code: failure.code,
    reason: failure.message,
  });
  await platform.jobs.enqueue(
    noticeOwnersOfReauthJob,
    { workspaceId, wabaId, reason: failure.message },
    { jobId: `reauth-notice-${wabaId}-${Date.now()}` },
  );
}

/** The health fields of a channel as Meta reports them. */
export function healthOf(number: PhoneNumber): Partial<ChannelRow> {
  return {
    displayPhoneNumber: number.display_phone_number ?? null,
    verifiedName: number.verified_name ?? null,
    qualityRating: number.quality_rating ?? null,
    throughputLevel: number.throughput?.level ?? null,
    messagingLimitTier:
      number.whatsapp_business_manager_messaging_limit ?? number.messaging_limit_tier ?? null,
  };
}

const HEALTH_FIELDS = [
  'displayPhoneNumber',
  'verifiedName',
  'qualityRating',
  'throughputLevel',
  'messagingLimitTier',
] as const;

/** The health fields that differ, as {before, after}; null when nothing changed. */
export function healthDiff(
  channel: ChannelRow,
  next: Partial<ChannelRow>,
): { before: Record<string, unknown>; after: Record<string, unknown> } | null {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const field of HEALTH_FIELDS) {
    if (next[field] !== undefined && next[field] !== channel[field]) {
      before[field] = channel[field];
      after[field] = next[field];
    }
  }
  return Object.keys(after).length > 0 ? { before, after } : null;
}

export async function listAllNumbers(platform: Platform, accessToken: string, wabaId: string) {
  const numbers: PhoneNumber[] = [];
  let after: string | undefined;
  for (let page = 0; page < 20; page++) {
    const result = await platform.graph.listPhoneNumbers({ accessToken, wabaId, limit: 100, after });
    numbers.push(...result.data);
    if (!result.nextCursor) break;
    after = result.nextCursor;
  }
  return numbers;
}

export type SyncResult =
  | { ok: true; updated: number }
  | { ok: false; reason: 'not_found' | 'needs_reauth' | 'no_token' | 'upstream_failed'; message: string };

/**
 * Refreshes every live number of a WABA from `GET /{waba}/phone_numbers`: names, quality rating,
 * throughput level and messaging-limit tier. A change is audited and published; a 190 marks the WABA
 * `needs_reauth`. A WABA already in that state is not called at all.
 */
export async function syncWaba(
  platform: Platform,
  workspaceId: string,
  wabaId: string,
  actor: Actor = systemActor('channels.sync'),
): Promise<SyncResult> {
  const waba = await findWaba(platform.db, workspaceId, wabaId);
  if (!waba || waba.status === 'disconnected')
    return { ok: false, reason: 'not_found', message: 'WABA not found' };
  if (waba.status === 'needs_reauth') {
    return {
      ok: false,
      reason: 'needs_reauth',
      message: 'Meta rejected this WhatsApp account’s access token; reconnect it to resume syncing',
    };
  }
  if (!waba.tokenSecretId) return { ok: false, reason: 'no_token', message: 'This WABA has no access token' };
  const accessToken = await platform.vault.reveal(workspaceId, waba.tokenSecretId);
  let numbers: PhoneNumber[];
  try {
    numbers = await listAllNumbers(platform, accessToken, waba.externalId);
  } catch (error) {
    const failure = describeFailure(error);
    if (isTokenRejected(error)) {
      await markNeedsReauth(platform, workspaceId, wabaId, failure, actor);
      return { ok: false, reason: 'needs_reauth', message: failure.message };
    }
    platform.logger.warn({ workspaceId, wabaId, code: failure.code }, 'phone number sync failed');
    return { ok: false, reason: 'upstream_failed', message: failure.message };
  }

  const byId = new Map(numbers.map((n) => [n.id, n]));
  const now = new Date();
  const changed: ChannelRow[] = [];
  await platform.db.transaction(async (tx) => {
    for (const channel of await liveChannelsOfWaba(tx, workspaceId, wabaId)) {
      const number = byId.get(channel.phoneNumberId);
      if (!number) {
        await updateChannel(tx, workspaceId, channel.id, {
          lastSyncedAt: now,
          lastError: { message: 'Meta no longer lists this number under the WABA', step: 'sync' },
        });
        continue;
      }
      const health = healthOf(number);
      const diff = healthDiff(channel, health);
      const row = await updateChannel(tx, workspaceId, channel.id, { ...health, lastSyncedAt: now });
      if (diff && row) {
        changed.push(row);
        await recordAudit(tx, actor, {
          workspaceId,
          action: 'channel.health_changed',
          resourceType: 'channel',
          resourceId: channel.id,
          before: diff.before,
          after: { ...diff.after, source: 'sync' },
        });
      }
    }
    await updateWaba(tx, workspaceId, wabaId, { lastSyncedAt: now });
  });
  for (const row of changed) {
    await platform.events.publish(channelChanged, {
      workspaceId,
      channelId: row.id,
      status: row.status,
      change: 'health',
    });
  }
  return { ok: true, updated: changed.length };
}
