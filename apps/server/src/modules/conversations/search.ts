import { and, desc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { contacts } from '../contacts/contacts.tables.js';
import { messages } from '../messages/messages.tables.js';
import type { ConversationScope } from './conversations.repository.js';
import { conversations } from './conversations.tables.js';
import type { Position } from './cursor.js';

/*
 * Full-text search with PostgreSQL's 'simple' configuration: words are lower-cased but never stemmed
 * or dropped as stop words, so Hindi (Devanagari) and Hinglish ("kab aayega") match as typed. Messages
 * keep their document in the stored column `search_vector` (migration 0010, GIN-indexed, not part of
 * the Drizzle table); the contact expression below is exactly that of its GIN index in the
 * inbox_features migration: change one, change both.
 */
const messageDocument = sql`${messages}.search_vector`;
export const contactDocument = sql`to_tsvector('simple', coalesce(${contacts.name}, '') || ' ' || coalesce(${contacts.profileName}, '') || ' ' || coalesce(${contacts.waId}, '') || ' ' || coalesce(${contacts.email}, ''))`;

/**
 * A prefix query from what someone types into a search box: every word must match the start of a
 * word ("ash 98" finds "Asha", 919800…). Characters with a meaning in tsquery syntax are dropped.
 * Null when nothing searchable is left.
 */
export function prefixQuery(text: string): string | null {
  const words = text
    .replace(/[&|!():*<>'"\\+\-@.,;?/]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  return words.length > 0 ? words.map((word) => `'${word}':*`).join(' & ') : null;
}

export async function searchMessages(
  db: Executor,
  scope: ConversationScope,
  text: string,
  page: { after?: Position; limit: number },
) {
  const query = sql`websearch_to_tsquery('simple', ${text})`;
  const where: (SQL | undefined)[] = [
    scope.where,
    eq(messages.workspaceId, scope.workspaceId),
    sql`${messageDocument} @@ ${query}`,
  ];
  if (page.after) {
    where.push(
      sql`(${messages.occurredAt}, ${messages.id}) < (${page.after.key}::timestamptz, ${page.after.id})`,
    );
  }
  return db
    .select({
      messageId: messages.id,
      conversationId: messages.conversationId,
      contactId: contacts.id,
      contactName: sql<string | null>`coalesce(${contacts.name}, ${contacts.profileName})`,
      contactPhone: contacts.phoneE164,
      snippet: sql<string>`ts_headline('simple', coalesce(${messages.preview}, ''), ${query}, 'MaxFragments=1, MaxWords=20, MinWords=5, StartSel=«, StopSel=»')`,
      occurredAt: messages.occurredAt,
      sortKey: sql<string>`(${messages.occurredAt})::text`,
    })
    .from(messages)
    .innerJoin(
      conversations,
      and(eq(conversations.id, messages.conversationId), eq(conversations.workspaceId, messages.workspaceId)),
    )
    .innerJoin(
      contacts,
      and(eq(contacts.id, messages.contactId), eq(contacts.workspaceId, messages.workspaceId)),
    )
    .where(and(...where))
    .orderBy(desc(messages.occurredAt), desc(messages.id))
    .limit(page.limit);
}

/**
 * Contacts whose name, profile name, number or email start with the words typed. Callers who may read
 * every contact see them all; others only those with a conversation they may see.
 */
export async function searchContacts(
  db: Executor,
  scope: ConversationScope,
  readsAllContacts: boolean,
  tsquery: string,
  page: { after?: Position; limit: number },
) {
  const visibleConversation = sql`select ${conversations.id} from ${conversations}
    where ${scope.where} and ${conversations.contactId} = ${contacts.id}
    order by coalesce(${conversations.lastMessageAt}, ${conversations.createdAt}) desc limit 1`;
  const where: (SQL | undefined)[] = [
    eq(contacts.workspaceId, scope.workspaceId),
    isNull(contacts.deletedAt),
    sql`${contactDocument} @@ to_tsquery('simple', ${tsquery})`,
    readsAllContacts ? undefined : sql`exists (${visibleConversation})`,
  ];
  if (page.after) {
    where.push(
      sql`(${contacts.createdAt}, ${contacts.id}) < (${page.after.key}::timestamptz, ${page.after.id})`,
    );
  }
  return db
    .select({
      contactId: contacts.id,
      name: sql<string | null>`coalesce(${contacts.name}, ${contacts.profileName})`,
      phone: contacts.phoneE164,
      conversationId: sql<string | null>`(${visibleConversation})`,
      sortKey: sql<string>`(${contacts.createdAt})::text`,
    })
    .from(contacts)
    .where(and(...where))
    .orderBy(desc(contacts.createdAt), desc(contacts.id))
    .limit(page.limit);
}
