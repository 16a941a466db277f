import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Platform } from '../../platform/context.js';
import type { Executor } from '../../platform/db/client.js';
import { type Actor, systemActor } from '../../platform/http/auth.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { type WalletRow, walletEntries, wallets } from './billing.tables.js';

/**
 * A workspace's wallet: `balance` is money (top-ups add, delivered billable messages subtract — in
 * postpaid mode a negative balance is what the workspace owes), `reserved` is estimates held for
 * template messages still in flight. Prepaid sends need `balance - reserved` to cover their estimate.
 * Every change writes a wallet entry with the figures after it; every change of the balance is audited.
 */
type Change = {
  kind: 'top_up' | 'adjustment' | 'reserve' | 'release' | 'charge';
  balanceDelta: number;
  reservedDelta: number;
  messageId?: string;
  reference?: string;
};

/** The wallet, or what a workspace without one has: postpaid, nothing recorded. */
export async function findWallet(db: Executor, workspaceId: string, currency: string): Promise<WalletRow> {
  const [row] = await db.select().from(wallets).where(eq(wallets.workspaceId, workspaceId));
  return (
    row ?? {
      workspaceId,
      mode: 'postpaid',
      currency,
      balanceMicros: 0,
      reservedMicros: 0,
      updatedAt: new Date(0),
    }
  );
}

async function ensureWallet(tx: Executor, workspaceId: string, currency: string): Promise<void> {
  await tx.insert(wallets).values({ workspaceId, currency }).onConflictDoNothing();
}

/** Applies one change and writes its entry; `onlyIfCovered` makes a reservation fail instead of overdrawing. */
async function applyChange(
  tx: Executor,
  workspaceId: string,
  change: Change,
  onlyIfCovered = false,
): Promise<WalletRow | null> {
  const [after] = await tx
    .update(wallets)
    .set({
      balanceMicros: sql`${wallets.balanceMicros} + ${change.balanceDelta}`,
      reservedMicros: sql`${wallets.reservedMicros} + ${change.reservedDelta}`,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(wallets.workspaceId, workspaceId),
        onlyIfCovered
          ? sql`${wallets.balanceMicros} - ${wallets.reservedMicros} >= ${change.reservedDelta}`
          : undefined,
      ),
    )
    .returning();
  if (!after) return null;
  await tx.insert(walletEntries).values({
    id: newId('walletEntry'),
    workspaceId,
    kind: change.kind,
    balanceDeltaMicros: change.balanceDelta,
    reservedDeltaMicros: change.reservedDelta,
    balanceAfterMicros: after.balanceMicros,
    reservedAfterMicros: after.reservedMicros,
    messageId: change.messageId ?? null,
    reference: change.reference ?? null,
  });
  return after;
}

/** Holds a prepaid estimate; false when the available balance does not cover it. */
export async function reserve(
  tx: Executor,
  workspaceId: string,
  amountMicros: number,
  messageId: string,
): Promise<boolean> {
  const after = await applyChange(
    tx,
    workspaceId,
    { kind: 'reserve', balanceDelta: 0, reservedDelta: amountMicros, messageId },
    true,
  );
  return after !== null;
}

export async function release(
  tx: Executor,
  workspaceId: string,
  amountMicros: number,
  messageId: string,
): Promise<void> {
  await applyChange(tx, workspaceId, {
    kind: 'release',
    balanceDelta: 0,
    reservedDelta: -amountMicros,
    messageId,
  });
}

export interface WalletCharge {
  amountMicros: number;
  messageId: string;
  ledgerKey: string;
}

/**
 * Ledger charges taken from the balance, in the transaction that wrote the ledger entries: one wallet
 * entry per charge, one audit row for the batch (a busy workspace is charged thousands of times a day).
 */
export async function chargeAll(
  tx: Executor,
  workspaceId: string,
  currency: string,
  charges: readonly WalletCharge[],
): Promise<void> {
  if (charges.length === 0) return;
  await ensureWallet(tx, workspaceId, currency);
  let after: WalletRow | null = null;
  for (const entry of charges) {
    after = await applyChange(tx, workspaceId, {
      kind: 'charge',
      balanceDelta: -entry.amountMicros,
      reservedDelta: 0,
      messageId: entry.messageId,
      reference: entry.ledgerKey,
    });
  }
  await recordAudit(tx, systemActor('billing'), {
    workspaceId,
    action: 'wallet.charged',
    resourceType: 'wallet',
    resourceId: workspaceId,
    after: {
      messages: charges.length,
      amountMicros: charges.reduce((sum, entry) => sum + entry.amountMicros, 0),
      balanceMicros: after?.balanceMicros,
    },
  });
}

/** An operator's top-up (payment received) or adjustment (credit note, correction; may be negative). */
export async function creditWallet(
  platform: Platform,
  actor: Actor,
  workspaceId: string,
  input: { kind: 'top_up' | 'adjustment'; amountMicros: number; reference: string },
): Promise<WalletRow> {
  return platform.db.transaction(async (tx) => {
    const before = await findWallet(tx, workspaceId, platform.config.billing.currency);
    await ensureWallet(tx, workspaceId, platform.config.billing.currency);
    const after = await applyChange(tx, workspaceId, {
      kind: input.kind,
      balanceDelta: input.amountMicros,
      reservedDelta: 0,
      reference: input.reference,
    });
    if (!after) throw new Error('wallet vanished during a top-up');
    await recordAudit(tx, actor, {
      workspaceId,
      action: input.kind === 'top_up' ? 'wallet.topped_up' : 'wallet.adjusted',
      resourceType: 'wallet',
      resourceId: workspaceId,
      before: { balanceMicros: before.balanceMicros },
      after: {
        balanceMicros: after.balanceMicros,
        amountMicros: input.amountMicros,
        reference: input.reference,
      },
    });
    return after;
  });
}

/** Switches a workspace between prepaid and postpaid (and sets the currency of a wallet not used yet). */
export async function configureWallet(
  platform: Platform,
  actor: Actor,
  workspaceId: string,
  input: { mode: 'prepaid' | 'postpaid'; currency?: string },
): Promise<WalletRow> {
  return platform.db.transaction(async (tx) => {
    const before = await findWallet(tx, workspaceId, platform.config.billing.currency);
    const currency = input.currency ?? before.currency;
    await ensureWallet(tx, workspaceId, currency);
    const [after] = await tx
      .update(wallets)
      .set({ mode: input.mode, currency, updatedAt: new Date() })
      .where(eq(wallets.workspaceId, workspaceId))
      .returning();
    if (!after) throw new Error('wallet vanished during an update');
    await recordAudit(tx, actor, {
      workspaceId,
      action: 'wallet.configured',
      resourceType: 'wallet',
      resourceId: workspaceId,
      before: { mode: before.mode, currency: before.currency },
      after: { mode: after.mode, currency: after.currency },
    });
    return after;
  });
}

/** Wallet entries, newest first, paged by id. */
export async function listWalletEntries(
  db: Executor,
  workspaceId: string,
  page: { limit: number; before?: string },
) {
  return db
    .select()
    .from(walletEntries)
    .where(
      and(
        eq(walletEntries.workspaceId, workspaceId),
        page.before ? lt(walletEntries.id, page.before) : undefined,
      ),
    )
    .orderBy(desc(walletEntries.id))
    .limit(page.limit);
}
