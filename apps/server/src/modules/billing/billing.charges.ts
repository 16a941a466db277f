import type { MessageStatus as MetaStatus } from '@openwaba/cloud-api';
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { newId } from '../../platform/ids.js';
import { contacts } from '../contacts/contacts.tables.js';
import { metaTime } from '../messages/messages.inbound.js';
import { messages } from '../messages/messages.tables.js';
import { statusRank } from '../messages/status-rank.js';
import { marketOf, rateChooser } from './billing.rates.js';
import { templateSends, usageLedger } from './billing.tables.js';
import { chargeAll, findWallet, release, type WalletCharge } from './billing.wallet.js';

type Loose = Record<string, unknown>;

/**
 * Billing's part of status processing, in the same transaction as the statuses:
 * - a `delivered` or `read` status whose pricing Meta marks billable writes one ledger entry, keyed
 *   `pmp:<message>` (per-message pricing) or `cbp:<conversation>:<category>` (conversation-based), so
 *   duplicates, reorderings and later statuses (even a later `billable:false`) never charge twice;
 *   free messages (free_customer_service, free_entry_point, billable:false) write nothing;
 * - the price is the rate card's at the status time, in the wallet's currency, debited from the wallet;
 * - a held estimate is released once Meta reports the message delivered or failed;
 * - the template send records its outcome (and failure code) for governance.
 */
export async function billStatuses(
  tx: Executor,
  workspaceId: string,
  statuses: readonly MetaStatus[],
  defaultCurrency: string,
): Promise<void> {
  const relevant = statuses.filter((s) => ['delivered', 'read', 'failed'].includes(s.status));
  if (relevant.length === 0) return;
  const rows = await tx
    .select({
      id: messages.id,
      wamid: messages.wamid,
      channelId: messages.channelId,
      pricing: messages.pricing,
      waId: contacts.waId,
    })
    .from(messages)
    .leftJoin(
      contacts,
      and(eq(contacts.workspaceId, messages.workspaceId), eq(contacts.id, messages.contactId)),
    )
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.direction, 'outbound'),
        inArray(
          messages.wamid,
          relevant.map((s) => s.id),
        ),
      ),
    );
  if (rows.length === 0) return;
  const byWamid = new Map(rows.map((row) => [row.wamid, row]));
  const wallet = await findWallet(tx, workspaceId, defaultCurrency);
  const rateAt = rateChooser(tx, wallet.currency);
  const charges: WalletCharge[] = [];
  // Lowest rank first: a delivered and a failed of one batch settle as delivered.
  const ordered = [...relevant].sort((a, b) => statusRank(a.status) - statusRank(b.status));
  for (const status of ordered) {
    const message = byWamid.get(status.id);
    if (!message) continue;
    const at = metaTime(status.timestamp);
    if (status.status === 'failed') {
      const code = Number((status.errors?.[0] as Loose | undefined)?.code) || null;
      await settleSend(tx, workspaceId, message.id, 'failed', code);
      continue;
    }
    const pricing = (status.pricing as Loose | undefined) ?? message.pricing;
    if (pricing && isBillable(pricing)) {
      const model = pricing.pricing_model === 'CBP' ? 'CBP' : 'PMP';
      const category = String(pricing.category ?? 'service');
      const metaConversationId = (status.conversation as Loose | undefined)?.id as string | undefined;
      const key =
        model === 'CBP' && metaConversationId ? `cbp:${metaConversationId}:${category}` : `pmp:${message.id}`;
      const market = marketOf(status.recipient_id ?? message.waId);
      const rate = await rateAt(category, market, at);
      const [entry] = await tx
        .insert(usageLedger)
        .values({
          id: newId('usage'),
          workspaceId,
          key,
          messageId: message.id,
          channelId: message.channelId,
          pricingModel: model,
          category,
          pricingType: typeof pricing.type === 'string' ? pricing.type : null,
          market,
          currency: wallet.currency,
          priceMicros: rate?.priceMicros ?? 0,
          rateId: rate?.id ?? null,
          metaConversationId: metaConversationId ?? null,
          occurredAt: at,
        })
        .onConflictDoNothing()
        .returning();
      if (entry && entry.priceMicros > 0) {
        charges.push({ amountMicros: entry.priceMicros, messageId: message.id, ledgerKey: key });
      }
    }
    await settleSend(tx, workspaceId, message.id, 'delivered', null);
  }
  await chargeAll(tx, workspaceId, wallet.currency, charges);
}

/** Meta's word on whether a message costs money: `billable`, or under PMP a `regular` type. */
function isBillable(pricing: Loose): boolean {
  if (typeof pricing.billable === 'boolean') return pricing.billable;
  return pricing.type === 'regular';
}

/** Records a template send's outcome once, and releases its held estimate. */
async function settleSend(
  tx: Executor,
  workspaceId: string,
  messageId: string,
  outcome: 'delivered' | 'failed',
  errorCode: number | null,
): Promise<void> {
  const [settled] = await tx
    .update(templateSends)
    .set({
      outcome: sql`coalesce(${templateSends.outcome}, ${outcome})`,
      errorCode: sql`coalesce(${templateSends.errorCode}, ${errorCode}::int)`,
      hold: sql`case when ${templateSends.hold} = 'held' then ${outcome === 'delivered' ? 'settled' : 'released'} else ${templateSends.hold} end`,
    })
    .where(
      and(
        eq(templateSends.workspaceId, workspaceId),
        eq(templateSends.messageId, messageId),
        isNull(templateSends.outcome),
      ),
    )
    .returning({ hold: templateSends.hold, estimateMicros: templateSends.estimateMicros });
  if (settled && settled.hold !== 'none') await release(tx, workspaceId, settled.estimateMicros, messageId);
}

/** Meta retries a webhook for up to 7 days: a hold older than that will never hear its outcome. */
const STALE_HOLD_MS = 8 * 24 * 3600 * 1000;

/**
 * Releases holds no status will settle: messages that failed before reaching Meta (no webhook comes)
 * and holds older than Meta's retry horizon. Returns how many it released.
 */
export async function releaseDeadHolds(tx: Executor, limit = 500): Promise<number> {
  const failed = await tx
    .select({
      workspaceId: templateSends.workspaceId,
      messageId: templateSends.messageId,
      error: messages.error,
    })
    .from(templateSends)
    .innerJoin(
      messages,
      and(eq(messages.workspaceId, templateSends.workspaceId), eq(messages.id, templateSends.messageId)),
    )
    .where(and(eq(templateSends.hold, 'held'), eq(messages.status, 'failed')))
    .limit(limit);
  for (const row of failed) {
    await settleSend(tx, row.workspaceId, row.messageId, 'failed', row.error?.code ?? null);
  }
  const stale = await tx
    .update(templateSends)
    .set({ hold: 'released' })
    .where(
      and(eq(templateSends.hold, 'held'), lt(templateSends.createdAt, new Date(Date.now() - STALE_HOLD_MS))),
    )
    .returning();
  for (const row of stale) await release(tx, row.workspaceId, row.estimateMicros, row.messageId);
  return failed.length + stale.length;
}
