import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { contacts } from './contacts.tables.js';

/** Undeliverable failures (131026) in a row before bulk sends skip the contact, and for how long. */
export const UNDELIVERABLE_THRESHOLD = 3;
export const UNDELIVERABLE_HOLD_MS = 7 * 24 * 3600_000;

/** Counts an undeliverable failure; from the threshold on, the contact is held back from bulk sends. */
export async function noteUndeliverable(tx: Executor, workspaceId: string, contactId: string): Promise<void> {
  const holdUntil = new Date(Date.now() + UNDELIVERABLE_HOLD_MS).toISOString();
  await tx
    .update(contacts)
    .set({
      undeliverableCount: sql`${contacts.undeliverableCount} + 1`,
      heldUntil: sql`case when ${contacts.undeliverableCount} + 1 >= ${UNDELIVERABLE_THRESHOLD} then ${holdUntil}::timestamptz else ${contacts.heldUntil} end`,
      updatedAt: new Date(),
    })
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)));
}

/** A delivered message proves the number works again. */
export async function noteDelivered(tx: Executor, workspaceId: string, contactId: string): Promise<void> {
  await tx
    .update(contacts)
    .set({ undeliverableCount: 0, heldUntil: null })
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        eq(contacts.id, contactId),
        sql`(${contacts.undeliverableCount} > 0 or ${contacts.heldUntil} is not null)`,
      ),
    );
}
