import { and, asc, desc, eq, gt, isNotNull, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import type { WorkspaceAccess } from '../../platform/http/auth.js';
import type { ConversationScope } from '../conversations/conversations.repository.js';
import { conversations } from '../conversations/conversations.tables.js';
import { messages } from '../messages/messages.tables.js';
import type { ContactFilters, ContactSort } from './contacts.schemas.js';
import { type ContactRow, contactOptEvents, contacts, optOutSettings } from './contacts.tables.js';

/**
 * What one caller may see of a workspace's contacts, as a `where` fragment every query here takes:
 * the workspace, not deleted, and for callers who read only what is assigned to them (Agents) the
 * contacts of the conversations they may see — that rule is the conversations module's scope, reused
 * as a subquery. Build it with contactVisibility(); the brand keeps hand-made objects out.
 */
export interface ContactVisibility {
  readonly workspaceId: string;
  readonly where: SQL;
  readonly __visibility: unique symbol;
}

export function contactVisibility(
  access: Pick<WorkspaceAccess, 'workspaceId' | 'can'>,
  conversationScope: ConversationScope | null,
): ContactVisibility {
  const live = and(eq(contacts.workspaceId, access.workspaceId), isNull(contacts.deletedAt)) as SQL;
  let where: SQL;
  if (access.can('contacts.read.all')) where = live;
  else if (access.can('contacts.read.assigned') && conversationScope) {
    where = and(
      live,
      sql`${contacts.id} in (select ${conversations.contactId} from ${conversations} where ${conversationScope.where})`,
    ) as SQL;
  } else where = and(live, sql`false`) as SQL;
  return { workspaceId: access.workspaceId, where } as ContactVisibility;
}

/** `%`, `_` and `\` match literally in a LIKE prefix. */
function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const displayName = sql`coalesce(${contacts.name}, ${contacts.profileName})`;

function filterWhere(filters: ContactFilters): SQL[] {
  const where: SQL[] = [];
  if (filters.q) {
    const prefix = likePrefix(filters.q.toLowerCase());
    const matches = [sql`lower(${displayName}) like ${prefix}`, sql`lower(${contacts.email}) like ${prefix}`];
    const digits = filters.q.replace(/[\s\-().]/g, '');
    if (/^\+?\d+$/.test(digits)) {
      matches.push(sql`${contacts.phoneE164} like ${likePrefix(`+${digits.replace(/^\+/, '')}`)}`);
    }
    where.push(or(...matches) as SQL);
  }
  if (filters.tag) where.push(sql`${contacts.tags} @> array[${filters.tag}]::text[]`);
  if (filters.optState === 'opted_out') where.push(isNotNull(contacts.optedOutAt));
  if (filters.optState === 'subscribed') where.push(isNull(contacts.optedOutAt));
  if (filters.optState === 'marketing_opted_out') where.push(isNotNull(contacts.marketingOptedOutAt));
  return where;
}

/** A position in a list: the sort key as PostgreSQL prints it, and the row id. */
export interface Position {
  key: string;
  id: string;
}

const sortKeys: Record<ContactSort, { key: SQL; type: SQL; newestFirst: boolean }> = {
  created: { key: sql`${contacts.createdAt}`, type: sql`timestamptz`, newestFirst: true },
  name: { key: sql`lower(coalesce(${displayName}, ''))`, type: sql`text`, newestFirst: false },
  last_inbound: {
    key: sql`coalesce(${contacts.lastInboundAt}, '-infinity'::timestamptz)`,
    type: sql`timestamptz`,
    newestFirst: true,
  },
};

export async function listContacts(
  db: Executor,
  visibility: ContactVisibility,
  filters: ContactFilters,
  sort: ContactSort,
  page: { after?: Position; limit: number },
) {
  const { key, type, newestFirst } = sortKeys[sort];
  const where = [visibility.where, ...filterWhere(filters)];
  if (page.after) {
    const at = sql`(cast(${page.after.key} as ${type}), ${page.after.id})`;
    where.push(newestFirst ? sql`(${key}, ${contacts.id}) < ${at}` : sql`(${key}, ${contacts.id}) > ${at}`);
  }
  return db
    .select({ contact: contacts, sortKey: sql<string>`(${key})::text` })
    .from(contacts)
    .where(and(...where))
    .orderBy(...(newestFirst ? [desc(key), desc(contacts.id)] : [asc(key), asc(contacts.id)]))
    .limit(page.limit);
}

/** Rows for an export, in id order after `afterId`. */
export async function contactBatch(
  db: Executor,
  visibility: ContactVisibility,
  filters: ContactFilters,
  page: { afterId?: string; limit: number },
): Promise<ContactRow[]> {
  const where = [visibility.where, ...filterWhere(filters)];
  if (page.afterId) where.push(gt(contacts.id, page.afterId));
  return db
    .select()
    .from(contacts)
    .where(and(...where))
    .orderBy(asc(contacts.id))
    .limit(page.limit);
}

export async function findContact(
  db: Executor,
  visibility: ContactVisibility,
  contactId: string,
): Promise<ContactRow | undefined> {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(visibility.where, eq(contacts.id, contactId)));
  return row;
}

export async function lockContact(
  tx: Executor,
  visibility: ContactVisibility,
  contactId: string,
): Promise<ContactRow | undefined> {
  const [row] = await tx
    .select()
    .from(contacts)
    .where(and(visibility.where, eq(contacts.id, contactId)))
    .for('update');
  return row;
}

/** Any contact with this WhatsApp id, deleted ones included (the id is unique per workspace). */
export async function lockContactByWaId(tx: Executor, workspaceId: string, waId: string) {
  const [row] = await tx
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.waId, waId)))
    .for('update');
  return row;
}

export async function insertContact(tx: Executor, values: typeof contacts.$inferInsert) {
  const [row] = await tx.insert(contacts).values(values).onConflictDoNothing().returning();
  return row;
}

export async function updateContactRow(
  tx: Executor,
  workspaceId: string,
  contactId: string,
  values: Partial<Pick<ContactRow, 'name' | 'email' | 'attributes' | 'tags' | 'deletedAt' | 'createdAt'>>,
): Promise<ContactRow> {
  const [row] = await tx
    .update(contacts)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)))
    .returning();
  if (!row) throw new Error(`contact ${contactId} vanished under a lock`);
  return row;
}

/**
 * Whether anything still points at the contact: a conversation or message (the inbox's history), or
 * an opt change (the compliance record, which must outlive a delete so a STOP is never forgotten).
 */
export async function contactIsReferenced(tx: Executor, workspaceId: string, contactId: string) {
  const inWorkspace = (table: typeof conversations | typeof messages | typeof contactOptEvents) =>
    sql`select 1 from ${table} where ${table.workspaceId} = ${workspaceId} and ${table.contactId} = ${contactId}`;
  const [row] = await tx
    .select({
      referenced: sql<boolean>`exists (${inWorkspace(conversations)}) or exists (${inWorkspace(messages)})
        or exists (${inWorkspace(contactOptEvents)})`,
    })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)));
  return row?.referenced === true;
}

export async function deleteContactRow(tx: Executor, workspaceId: string, contactId: string) {
  await tx.delete(contacts).where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)));
}

export async function optHistory(db: Executor, workspaceId: string, contactId: string, limit: number) {
  return db
    .select()
    .from(contactOptEvents)
    .where(and(eq(contactOptEvents.workspaceId, workspaceId), eq(contactOptEvents.contactId, contactId)))
    .orderBy(desc(contactOptEvents.occurredAt), desc(contactOptEvents.id))
    .limit(limit);
}

/** The contact's conversations within a conversation scope (what the caller may open in the inbox). */
export async function contactConversations(db: Executor, scope: ConversationScope, contactId: string) {
  return db
    .select({ id: conversations.id, channelId: conversations.channelId, status: conversations.status })
    .from(conversations)
    .where(and(scope.where, eq(conversations.contactId, contactId)))
    .orderBy(desc(conversations.lastMessageAt));
}

/** Tags in use among the contacts the caller may see, most used first. */
export async function tagCounts(db: Executor, visibility: ContactVisibility, limit: number) {
  const tag = sql<string>`unnest(${contacts.tags})`;
  const rows = await db
    .select({ tag, contacts: sql<number>`count(*)`.mapWith(Number) })
    .from(contacts)
    .where(visibility.where)
    .groupBy(sql`1`)
    .orderBy(sql`2 desc`, sql`1`)
    .limit(limit);
  return rows;
}

export async function loadOptOutSettingsRow(db: Executor, workspaceId: string) {
  const [row] = await db.select().from(optOutSettings).where(eq(optOutSettings.workspaceId, workspaceId));
  return row;
}

export async function saveOptOutSettings(
  tx: Executor,
  workspaceId: string,
  values: Omit<typeof optOutSettings.$inferInsert, 'workspaceId' | 'updatedAt'>,
) {
  await tx
    .insert(optOutSettings)
    .values({ workspaceId, ...values })
    .onConflictDoUpdate({ target: optOutSettings.workspaceId, set: { ...values, updatedAt: new Date() } });
}
