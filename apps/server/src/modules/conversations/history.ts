import { and, asc, eq, gt, inArray, like, min } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import type { Actor } from '../../platform/http/auth.js';
import { idPrefixes, newId } from '../../platform/ids.js';
import { users } from '../identity/identity.tables.js';
import { messages } from '../messages/messages.tables.js';
import { conversationHistory, type HistoryKind } from './conversations.tables.js';

/** Who did it, as the history keeps it: a user or an API key, or nobody for the system. */
function actorOf(actor: Actor): { actorId: string | null; actorName: string | null } {
  const p = actor.principal;
  if (p?.kind === 'user') return { actorId: p.userId, actorName: p.email };
  if (p?.kind === 'api_key') return { actorId: p.apiKeyId, actorName: p.name };
  return { actorId: null, actorName: null };
}

/** One line of a conversation's history, in the transaction of the change it records. */
export async function recordHistory(
  tx: Executor,
  actor: Actor,
  entry: {
    workspaceId: string;
    conversationId: string;
    kind: HistoryKind;
    from: string | null;
    to: string | null;
  },
): Promise<void> {
  await tx.insert(conversationHistory).values({ id: newId('historyEntry'), ...entry, ...actorOf(actor) });
}

export async function listHistory(db: Executor, workspaceId: string, conversationId: string) {
  return db
    .select({ entry: conversationHistory, userName: users.name })
    .from(conversationHistory)
    .leftJoin(users, eq(users.id, conversationHistory.actorId))
    .where(
      and(
        eq(conversationHistory.workspaceId, workspaceId),
        eq(conversationHistory.conversationId, conversationId),
      ),
    )
    .orderBy(asc(conversationHistory.at), asc(conversationHistory.id));
}

export type HistoryListRow = Awaited<ReturnType<typeof listHistory>>[number];

/** History as the API shows it: assignments by member name, actors with their current name. */
export async function toHistory(db: Executor, rows: readonly HistoryListRow[]) {
  const assignees = [
    ...new Set(
      rows
        .flatMap(({ entry }) => (entry.kind === 'assigned' ? [entry.from, entry.to] : []))
        .filter((id): id is string => id !== null),
    ),
  ];
  const names = new Map<string, string>();
  if (assignees.length > 0) {
    const found = await db
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(inArray(users.id, assignees));
    for (const user of found) names.set(user.id, user.name);
  }
  const shown = (entry: HistoryListRow['entry'], value: string | null) =>
    entry.kind === 'assigned' && value ? (names.get(value) ?? value) : value;
  return rows.map(({ entry, userName }) => ({
    at: entry.at.toISOString(),
    kind: entry.kind,
    from: shown(entry, entry.from),
    to: shown(entry, entry.to),
    actor: entry.actorId ? { id: entry.actorId, name: userName ?? entry.actorName ?? entry.actorId } : null,
  }));
}

/**
 * The customer's first message and the first reply a member sent after it (campaign, API and system
 * messages do not count as a response). Both come from the conversation's slice of the messages index.
 */
export async function firstExchange(db: Executor, workspaceId: string, conversationId: string) {
  const ofConversation = and(
    eq(messages.workspaceId, workspaceId),
    eq(messages.conversationId, conversationId),
  );
  const [first] = await db
    .select({ at: min(messages.occurredAt) })
    .from(messages)
    .where(and(ofConversation, eq(messages.direction, 'inbound')));
  const firstInboundAt = first?.at ?? null;
  if (!firstInboundAt) return { firstInboundAt, firstResponseAt: null };
  const [reply] = await db
    .select({ at: min(messages.occurredAt) })
    .from(messages)
    .where(
      and(
        ofConversation,
        eq(messages.direction, 'outbound'),
        like(messages.senderId, `${idPrefixes.user}\\_%`),
        gt(messages.occurredAt, firstInboundAt),
      ),
    );
  return { firstInboundAt, firstResponseAt: reply?.at ?? null };
}
