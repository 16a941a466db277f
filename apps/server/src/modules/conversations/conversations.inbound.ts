import { and, eq, sql } from 'drizzle-orm';
import type { Platform } from '../../platform/context.js';
import { anyOf, type Executor, queryRows } from '../../platform/db/client.js';
import { newId } from '../../platform/ids.js';
import { autoAssign } from './auto-assign.js';
import { conversationChanged, publishAfterCommit } from './conversations.events.js';
import { type ConversationRow, conversationHistory, conversations } from './conversations.tables.js';

/**
 * The conversation of (channel, contact), created on first contact (`created`: by this call). Does not
 * count anything.
 */
export async function ensureConversation(
  tx: Executor,
  workspaceId: string,
  channelId: string,
  contactId: string,
): Promise<{ row: ConversationRow; created: boolean }> {
  const find = async () => {
    const [row] = await tx
      .select()
      .from(conversations)
      .where(
        and(
          eq(conversations.workspaceId, workspaceId),
          eq(conversations.channelId, channelId),
          eq(conversations.contactId, contactId),
        ),
      );
    return row;
  };
  const existing = await find();
  if (existing) return { row: existing, created: false };
  const inserted = await tx
    .insert(conversations)
    .values({ id: newId('conversation'), workspaceId, channelId, contactId })
    .onConflictDoNothing()
    .returning();
  if (inserted[0]) return { row: inserted[0], created: true };
  const raced = await find();
  if (!raced) throw new Error('conversation upsert lost a race it should have won');
  return { row: raced, created: false };
}

/** The conversations of many (channel, contact) pairs of one workspace, created where missing. */
export async function ensureConversations(
  tx: Executor,
  workspaceId: string,
  pairs: readonly { channelId: string; contactId: string }[],
): Promise<Map<string, ConversationRow>> {
  const key = (channelId: string, contactId: string) => `${channelId}/${contactId}`;
  const wanted = new Map(pairs.map((pair) => [key(pair.channelId, pair.contactId), pair]));
  const result = new Map<string, ConversationRow>();
  if (wanted.size === 0) return result;
  const contactIds = [...new Set(pairs.map((pair) => pair.contactId))];
  const load = async () => {
    const rows = await tx
      .select()
      .from(conversations)
      .where(and(eq(conversations.workspaceId, workspaceId), anyOf(conversations.contactId, contactIds)));
    for (const row of rows) {
      const k = key(row.channelId, row.contactId);
      if (wanted.has(k)) result.set(k, row);
    }
  };
  await load();
  const missing = [...wanted].filter(([k]) => !result.has(k)).sort(([a], [b]) => (a < b ? -1 : 1));
  if (missing.length > 0) {
    await tx
      .insert(conversations)
      .values(missing.map(([, pair]) => ({ id: newId('conversation'), workspaceId, ...pair })))
      .onConflictDoNothing();
    await load();
  }
  return result;
}

/**
 * recordInboundActivity for many conversations at once: `count` new inbound messages, the latest at
 * `at`. Rows are locked in id order first, so concurrent batches cannot deadlock. A resolved or snoozed
 * conversation the customer writes into opens again, with a line in its history (as read under the lock).
 */
export async function recordInboundActivityBulk(
  tx: Executor,
  workspaceId: string,
  activity: ReadonlyMap<string, { count: number; at: Date }>,
): Promise<void> {
  if (activity.size === 0) return;
  const entries = [...activity].sort(([a], [b]) => (a < b ? -1 : 1));
  const values = JSON.stringify(
    entries.map(([id, { count, at }]) => ({ id, n: count, at: at.toISOString() })),
  );
  // One statement: the materialized CTE locks the rows in id order and keeps their status as it was.
  const locked = await queryRows<{ id: string; status: ConversationRow['status'] }>(
    tx,
    sql`with locked as materialized (
        select id, status from conversations
        where workspace_id = ${workspaceId} and id = any(${sql.param(entries.map(([id]) => id))}::text[])
        order by id for update
      )
      update conversations set
        last_inbound_at = greatest(conversations.last_inbound_at, v.at),
        last_message_at = greatest(conversations.last_message_at, v.at),
        unread_count = conversations.unread_count + v.n,
        status = case when conversations.status in ('resolved', 'snoozed') then 'open' else conversations.status end,
        snoozed_until = null,
        updated_at = now()
      from json_to_recordset(${values}::json) as v(id text, n int, at timestamptz), locked
      where conversations.id = v.id and locked.id = v.id
      returning locked.id, locked.status`,
  );
  const reopened = locked.filter((row) => row.status === 'resolved' || row.status === 'snoozed');
  if (reopened.length > 0) {
    // The customer did it: no actor, as for the system's own changes.
    await tx.insert(conversationHistory).values(
      reopened.map((row) => ({
        id: newId('historyEntry'),
        workspaceId,
        conversationId: row.id,
        kind: 'status' as const,
        from: row.status,
        to: 'open',
      })),
    );
  }
}

export interface OpenedConversation {
  id: string;
  /** The customer's first message (a new inbound conversation), rather than a reopening. */
  first: boolean;
  assigneeId: string | null;
}

/**
 * Conversations an inbound batch opened: `rows` as they were before the batch, `activity` its new
 * messages. Opened means the customer wrote for the first time, or wrote into a resolved or snoozed one.
 */
export function openedByInbound(
  rows: ReadonlyMap<string, ConversationRow>,
  activity: ReadonlyMap<string, unknown>,
): OpenedConversation[] {
  return [...rows.values()]
    .filter((row) => activity.has(row.id))
    .filter((row) => row.lastInboundAt === null || row.status === 'resolved' || row.status === 'snoozed')
    .map((row) => ({ id: row.id, first: row.lastInboundAt === null, assigneeId: row.assigneeId }));
}

/** After the batch commits: announce the opened conversations, then auto-assign those nobody holds. */
export async function conversationsOpened(
  platform: Platform,
  workspaceId: string,
  opened: readonly OpenedConversation[],
): Promise<void> {
  for (const conversation of opened) {
    await publishAfterCommit(platform, () =>
      platform.events.publish(conversationChanged, {
        workspaceId,
        conversationId: conversation.id,
        change: conversation.first ? 'created' : 'status',
        assigneeId: conversation.assigneeId,
        actorUserId: null,
      }),
    );
  }
  await autoAssign(
    platform,
    workspaceId,
    opened.filter((c) => c.assigneeId === null).map((c) => c.id),
  );
}
