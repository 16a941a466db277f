import type { WebhookItem } from '@openwaba/cloud-api';
import { and, eq, ne } from 'drizzle-orm';
import type { Platform } from '../../platform/context.js';
import type { Executor } from '../../platform/db/client.js';
import { systemActor } from '../../platform/http/auth.js';
import { recordAudit } from '../audit/audit.service.js';
import { channelChanged } from './channels.events.js';
import { healthDiff } from './channels.health.js';
import { enqueueWabaSync } from './channels.jobs.js';
import { updateChannel } from './channels.repository.js';
import { type ChannelRow, channels, wabas } from './channels.tables.js';

export type ChannelWebhookItem = Extract<
  WebhookItem,
  { kind: 'phone_number_quality' | 'account_update' | 'business_capability' }
>;

const digits = (value: string | null | undefined) => (value ?? '').replace(/\D/g, '');

/**
 * Applies Meta's account-level webhooks (number quality and limit tier, account and capability
 * updates) to the channels they concern. Returns a publisher for the resulting domain event, or null
 * when nothing changed. Must be idempotent: webhooks repeat.
 *
 * A quality update carries the new limit tier but not the rating itself, so it also queues a sync of
 * the WABA, which reads the exact rating; account and capability updates queue that sync only.
 */
export async function handleChannelWebhookItem(
  platform: Platform,
  db: Executor,
  item: ChannelWebhookItem,
): Promise<(() => Promise<void>) | null> {
  const owned = await db
    .select({ channel: channels, waba: wabas })
    .from(channels)
    .innerJoin(wabas, eq(wabas.id, channels.wabaId))
    .where(
      and(
        eq(wabas.externalId, item.wabaId),
        ne(wabas.status, 'disconnected'),
        ne(channels.status, 'disconnected'),
      ),
    );
  if (owned.length === 0) return null;
  const waba = owned[0]!.waba;
  if (waba.status === 'active') await enqueueWabaSync(platform, waba.workspaceId, waba.id);
  if (item.kind !== 'phone_number_quality') {
    platform.logger.info({ wabaId: waba.id, kind: item.kind }, 'account webhook received; sync queued');
    return null;
  }

  const number = digits(item.update.display_phone_number);
  const target = owned.find((row) => digits(row.channel.displayPhoneNumber) === number)?.channel;
  if (!target) return null;
  const next: Partial<ChannelRow> = {};
  if (item.update.current_limit?.startsWith('TIER_')) next.messagingLimitTier = item.update.current_limit;
  // FLAGGED: Meta lowered the rating to Low; other events are settled by the sync just queued.
  if (item.update.event === 'FLAGGED') next.qualityRating = 'RED';
  const diff = healthDiff(target, next);
  if (!diff) return null;

  const updated = await db.transaction(async (tx) => {
    const row = await updateChannel(tx, target.workspaceId, target.id, next);
    await recordAudit(tx, systemActor('channels.webhook'), {
      workspaceId: target.workspaceId,
      action: 'channel.health_changed',
      resourceType: 'channel',
      resourceId: target.id,
      before: diff.before,
      after: { ...diff.after, source: 'webhook', event: item.update.event },
    });
    return row;
  });
  if (!updated) return null;
  return () =>
    platform.events.publish(channelChanged, {
      workspaceId: updated.workspaceId,
      channelId: updated.id,
      status: updated.status,
      change: 'health',
    });
}
