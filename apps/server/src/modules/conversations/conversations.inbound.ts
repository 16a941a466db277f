import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { newId } from '../../platform/ids.js';
import { type ConversationRow, conversations } from './conversations.tables.js';

/** The conversation of (channel, contact), created on first contact. Does not count anything. */
export async function ensureConversation(
  tx: Executor,
  workspaceId: string,
  channelId: string,
  contactId: string,
): Promise<ConversationRow> {
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
  if (existing) return existing;
  await tx
    .insert(conversations)
    .values({ id: newId('conversation'), workspaceId, channelId, contactId })
    .onConflictDoNothing();
  const created = await find();
  if (!created) throw new Error('conversation upsert lost a race it should have won');
  return created;
}

/**
 * A new inbound message: the window restarts from its time (never moves back for a late, out-of-order
 * message), the unread count grows, and a resolved or snoozed conversation opens again.
 */
export async function recordInboundActivity(
  tx: Executor,
  workspaceId: string,
  conversationId: string,
  at: Date,
) {
  const stamp = sql`${at.toISOString()}::timestamptz`;
  const [row] = await tx
    .update(conversations)
    .set({
      lastInboundAt: sql`greatest(${conversations.lastInboundAt}, ${stamp})`,
      lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${stamp})`,
      unreadCount: sql`${conversations.unreadCount} + 1`,
      status: sql`case when ${conversations.status} in ('resolved', 'snoozed') then 'open' else ${conversations.status} end`,
      snoozedUntil: null,
      updatedAt: new Date(),
    })
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, conversationId)))
    .returning();
  return row;
}
