import type { MessageStatus as MetaStatus } from '@openwaba/cloud-api';
import { and, eq, isNull } from 'drizzle-orm';
import type { Platform } from '../../platform/context.js';
import type { Executor } from '../../platform/db/client.js';
import { billStatuses } from '../billing/billing.charges.js';
import { messageStatusChanged } from './messages.events.js';
import { applyStatus } from './messages.inbound.js';
import { messageStatusEvents } from './messages.tables.js';

/**
 * Statuses that arrived before the send path stored the wamid (the webhook beat the Graph response)
 * are applied now, in rank order. Returns the events to publish after commit.
 */
export async function applyPendingStatuses(
  tx: Executor,
  platform: Platform,
  workspaceId: string,
  wamid: string,
): Promise<(() => Promise<void>)[]> {
  const pending = await tx
    .select()
    .from(messageStatusEvents)
    .where(
      and(
        eq(messageStatusEvents.workspaceId, workspaceId),
        eq(messageStatusEvents.wamid, wamid),
        isNull(messageStatusEvents.appliedAt),
      ),
    );
  const publishes: (() => Promise<void>)[] = [];
  const statuses: MetaStatus[] = [];
  for (const event of pending) {
    const status = {
      id: wamid,
      status: event.status,
      timestamp: String(Math.floor(event.occurredAt.getTime() / 1000)),
      recipient_id: event.recipientId ?? undefined,
      ...(event.pricing ? { pricing: event.pricing } : {}),
      ...(event.conversation ? { conversation: event.conversation } : {}),
      ...(event.errors ? { errors: event.errors } : {}),
    } as unknown as MetaStatus;
    const { message, movedTo } = await applyStatus(tx, workspaceId, status);
    statuses.push(status);
    if (message && movedTo) {
      publishes.push(() =>
        platform.events
          .publish(messageStatusChanged, {
            workspaceId,
            conversationId: message.conversationId,
            messageId: message.id,
            status: movedTo,
          })
          .catch((err: unknown) => platform.logger.warn({ err }, 'event publish failed')),
      );
    }
  }
  await billStatuses(tx, workspaceId, statuses, platform.config.billing.currency);
  return publishes;
}
