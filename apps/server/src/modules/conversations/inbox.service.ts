import type { Platform } from '../../platform/context.js';
import type { Executor } from '../../platform/db/client.js';
import type { WorkspaceAccess } from '../../platform/http/auth.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { noteAdded, publishAfterCommit } from './conversations.events.js';
import * as repo from './conversations.repository.js';
import { scopeFor } from './conversations.service.js';
import { decodeCursor, pageOf } from './cursor.js';
import {
  insertNote,
  listNoteRows,
  mentionedMembers,
  type Note,
  toNotes,
  workspaceMembersWithNames,
} from './notes.js';
import { findQuickReply, renderQuickReply } from './quick-replies.js';
import { prefixQuery, searchContacts, searchMessages } from './search.js';

type Access = Pick<WorkspaceAccess, 'workspaceId' | 'principal' | 'can' | 'actor'>;

export async function listNotes(
  db: Executor,
  access: Access,
  conversationId: string,
): Promise<Note[] | undefined> {
  const scope = await scopeFor(db, access);
  if (!(await repo.findConversation(db, scope, conversationId))) return undefined;
  return toNotes(db, await listNoteRows(db, access.workspaceId, conversationId));
}

/**
 * An internal note on a visible conversation. It is stored apart from messages and never reaches the
 * send path; the members it @mentions are named in the `noteAdded` event for their notifications.
 */
export async function addNote(
  platform: Platform,
  access: Access,
  conversationId: string,
  body: string,
): Promise<Note | undefined> {
  const { principal } = access;
  const author =
    principal.kind === 'user'
      ? { id: principal.userId, name: principal.email }
      : { id: principal.apiKeyId, name: principal.name };
  const row = await platform.db.transaction(async (tx) => {
    const scope = await scopeFor(tx, access);
    if (!(await repo.lockConversation(tx, scope, conversationId))) return undefined;
    const mentions = mentionedMembers(body, await workspaceMembersWithNames(tx, access.workspaceId));
    const note = await insertNote(tx, {
      id: newId('note'),
      workspaceId: access.workspaceId,
      conversationId,
      authorId: author.id,
      authorName: author.name,
      body,
      mentions: mentions.map((m) => m.userId),
    });
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'conversation.note_added',
      resourceType: 'conversation',
      resourceId: conversationId,
      // The text stays out of the trail: notes can hold customer details.
      after: { noteId: note.id, mentions: note.mentions },
    });
    return note;
  });
  if (!row) return undefined;
  await publishAfterCommit(platform, () =>
    platform.events.publish(noteAdded, {
      workspaceId: access.workspaceId,
      conversationId,
      noteId: row.id,
      authorId: row.authorId,
      mentionedUserIds: row.mentions,
    }),
  );
  const [note] = await toNotes(platform.db, [row]);
  return note;
}

/** A quick reply's text with the conversation's contact and the calling member filled in. */
export async function renderQuickReplyFor(
  db: Executor,
  access: Access,
  quickReplyId: string,
  conversationId: string,
): Promise<
  { ok: true; value: { text: string } } | { ok: false; reason: 'not_found' | 'conversation_not_found' }
> {
  const reply = await findQuickReply(db, access.workspaceId, quickReplyId);
  if (!reply) return { ok: false, reason: 'not_found' };
  const row = await repo.findConversation(db, await scopeFor(db, access), conversationId);
  if (!row) return { ok: false, reason: 'conversation_not_found' };
  const name = row.contact.name ?? row.contact.profileName;
  const agent =
    access.principal.kind === 'user'
      ? await repo.userName(db, access.principal.userId)
      : { name: access.principal.name, email: null };
  const text = renderQuickReply(reply.body, {
    contact: {
      name,
      firstName: name?.trim().split(/\s+/)[0] ?? null,
      phone: row.contact.phoneE164,
      attributes: row.contact.attributes,
    },
    agent: { name: agent?.name ?? null, email: agent?.email ?? null },
  });
  return { ok: true, value: { text } };
}

export type SearchFailure = 'bad_cursor';
type SearchQuery = { q: string; type: 'messages' | 'contacts'; cursor?: string; limit: number };

/** Messages or contacts matching `q`, newest first, only from conversations the caller may see. */
export async function search(db: Executor, access: Access, query: SearchQuery) {
  const sort = `search.${query.type}`;
  const after = decodeCursor(sort, query.cursor);
  if (after === null) return { ok: false as const, reason: 'bad_cursor' as const };
  const scope = await scopeFor(db, access);
  const page = { after, limit: query.limit + 1 };
  if (query.type === 'messages') {
    const rows = await searchMessages(db, scope, query.q, page);
    const result = pageOf(rows, query.limit, (r) => ({ key: r.sortKey, id: r.messageId }), sort);
    return {
      ok: true as const,
      value: {
        items: result.items.map((r) => ({
          messageId: r.messageId,
          conversationId: r.conversationId,
          contact: { id: r.contactId, name: r.contactName, phone: r.contactPhone },
          snippet: r.snippet,
          createdAt: r.occurredAt.toISOString(),
        })),
        nextCursor: result.nextCursor,
      },
    };
  }
  const tsquery = prefixQuery(query.q);
  if (!tsquery) return { ok: true as const, value: { items: [], nextCursor: null } };
  const rows = await searchContacts(db, scope, access.can('contacts.read.all'), tsquery, page);
  const result = pageOf(rows, query.limit, (r) => ({ key: r.sortKey, id: r.contactId }), sort);
  return {
    ok: true as const,
    value: {
      items: result.items.map(({ sortKey: _, ...hit }) => hit),
      nextCursor: result.nextCursor,
    },
  };
}
