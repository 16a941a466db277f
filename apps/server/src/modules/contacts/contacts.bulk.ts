import { and, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import { anyOf, type Executor } from '../../platform/db/client.js';
import { newId } from '../../platform/ids.js';
import { type InboundIdentity, waIdToE164 } from './contacts.inbound.js';
import { type ContactRow, contacts } from './contacts.tables.js';

/** The key a webhook identity is matched by: its wa_id when it has one, else its BSUID. */
export function identityKey(who: InboundIdentity): string {
  return who.waId ? `wa:${who.waId}` : `u:${who.userId}`;
}

/**
 * Finds or creates the contacts of many webhook identities of one workspace in a handful of statements
 * (the batch path of webhook processing). Returns them by identityKey(). Existing rows are not changed
 * here: updates go through updateInboundContacts at the end of the batch, in lock order.
 */
export async function upsertInboundContacts(
  tx: Executor,
  workspaceId: string,
  identities: readonly InboundIdentity[],
): Promise<Map<string, ContactRow>> {
  const wanted = new Map<string, InboundIdentity>();
  for (const who of identities) if (who.waId || who.userId) wanted.set(identityKey(who), who);
  const result = new Map<string, ContactRow>();
  if (wanted.size === 0) return result;
  const waIds = [...wanted.values()].flatMap((who) => (who.waId ? [who.waId] : []));
  const userIds = [...wanted.values()].flatMap((who) => (who.userId ? [who.userId] : []));

  const load = async () => {
    const clauses: SQL[] = [];
    if (waIds.length > 0) clauses.push(anyOf(contacts.waId, waIds));
    if (userIds.length > 0) clauses.push(anyOf(contacts.userId, userIds));
    const rows = await tx
      .select()
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), or(...clauses)));
    const byWaId = new Map(rows.flatMap((row) => (row.waId ? [[row.waId, row] as const] : [])));
    const byUserId = new Map(rows.flatMap((row) => (row.userId ? [[row.userId, row] as const] : [])));
    for (const [key, who] of wanted) {
      const row = (who.waId && byWaId.get(who.waId)) || (who.userId && byUserId.get(who.userId));
      if (row) result.set(key, row);
    }
  };
  await load();

  const missing = [...wanted].filter(([key]) => !result.has(key)).sort(([a], [b]) => (a < b ? -1 : 1));
  if (missing.length > 0) {
    await tx
      .insert(contacts)
      .values(
        missing.map(([, who]) => ({
          id: newId('contact'),
          workspaceId,
          waId: who.waId ?? null,
          userId: who.userId ?? null,
          phoneE164: who.waId ? waIdToE164(who.waId) : null,
          profileName: who.profileName ?? null,
        })),
      )
      .onConflictDoNothing();
    await load();
  }

  return result;
}

export interface ContactInboundUpdate {
  /** The latest inbound message; `last_inbound_at` never moves backwards for a late one. */
  at?: Date;
  profileName?: string;
}

/**
 * Applies what a batch learned about its contacts in one statement (a contact the team deleted comes
 * back: the customer wrote again), after locking the rows in id order
 * (conversations are locked before contacts everywhere, so concurrent batches cannot deadlock).
 */
export async function updateInboundContacts(
  tx: Executor,
  workspaceId: string,
  updates: ReadonlyMap<string, ContactInboundUpdate>,
): Promise<void> {
  if (updates.size === 0) return;
  const entries = [...updates].sort(([a], [b]) => (a < b ? -1 : 1));
  const ids = entries.map(([id]) => id);
  // One JSON parameter for the whole batch: no statement text that grows with it. One statement: the
  // materialized CTE locks the rows in id order before the update touches them.
  const values = JSON.stringify(
    entries.map(([id, update]) => ({ id, at: update.at?.toISOString(), name: update.profileName })),
  );
  await tx.execute(sql`
    with locked as materialized (
      select id from contacts
      where workspace_id = ${workspaceId} and id = any(${sql.param(ids)}::text[])
      order by id for update
    )
    update contacts set
      last_inbound_at = greatest(contacts.last_inbound_at, v.at),
      profile_name = coalesce(v.name, contacts.profile_name),
      deleted_at = null,
      updated_at = now()
    from json_to_recordset(${values}::json) as v(id text, at timestamptz, name text), locked
    where contacts.id = v.id and locked.id = v.id`);
}

/** noteDelivered for many contacts: a delivered message proves the number works again. */
export async function clearUndeliverable(
  tx: Executor,
  workspaceId: string,
  contactIds: readonly string[],
): Promise<void> {
  if (contactIds.length === 0) return;
  await tx
    .update(contacts)
    .set({ undeliverableCount: 0, heldUntil: null })
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        inArray(contacts.id, [...new Set(contactIds)].sort()),
        sql`(${contacts.undeliverableCount} > 0 or ${contacts.heldUntil} is not null)`,
      ),
    );
}
