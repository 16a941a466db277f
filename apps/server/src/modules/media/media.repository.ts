import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import type { ConversationScope } from '../conversations/conversations.repository.js';
import { conversations } from '../conversations/conversations.tables.js';
import { messages } from '../messages/messages.tables.js';

/** A message of the scope's workspace whose conversation the caller may read; undefined otherwise. */
export async function findVisibleMessage(db: Executor, scope: ConversationScope, messageId: string) {
  const [row] = await db
    .select({
      id: messages.id,
      direction: messages.direction,
      type: messages.type,
      content: messages.content,
      media: messages.media,
    })
    .from(messages)
    .innerJoin(
      conversations,
      and(eq(conversations.id, messages.conversationId), eq(conversations.workspaceId, messages.workspaceId)),
    )
    .where(and(scope.where, eq(messages.workspaceId, scope.workspaceId), eq(messages.id, messageId)));
  return row;
}
