import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { users } from '../identity/identity.tables.js';
import { workspaceMembers } from '../workspaces/workspaces.tables.js';
import { conversationNotes, type NoteRow } from './conversations.tables.js';

export interface Member {
  userId: string;
  name: string;
  email: string;
}

export interface Note {
  id: string;
  conversationId: string;
  body: string;
  author: { id: string; name: string };
  mentions: { userId: string; name: string }[];
  createdAt: string;
}

export async function workspaceMembersWithNames(db: Executor, workspaceId: string): Promise<Member[]> {
  return db
    .select({ userId: users.id, name: users.name, email: users.email })
    .from(workspaceMembers)
    .innerJoin(users, eq(users.id, workspaceMembers.userId))
    .where(eq(workspaceMembers.workspaceId, workspaceId));
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Members named in a note: `@` followed by a member's name (spaces allowed: "@Asha Rao") or the local
 * part of their email ("@asha.rao"), case-insensitive, not followed by more of a word (a full stop
 * ending the sentence is fine).
 */
export function mentionedMembers(body: string, members: readonly Member[]): Member[] {
  return members.filter((member) => {
    const handles = [member.name, member.email.split('@')[0] ?? ''].filter((h) => h.trim().length > 0);
    return handles.some((handle) =>
      new RegExp(`@${escapeRegExp(handle)}(?![\\p{L}\\p{N}_-]|[.][\\p{L}\\p{N}])`, 'iu').test(body),
    );
  });
}

export async function insertNote(
  tx: Executor,
  values: Pick<
    NoteRow,
    'id' | 'workspaceId' | 'conversationId' | 'authorId' | 'authorName' | 'body' | 'mentions'
  >,
): Promise<NoteRow> {
  const [row] = await tx.insert(conversationNotes).values(values).returning();
  if (!row) throw new Error('note not inserted');
  return row;
}

export async function listNoteRows(db: Executor, workspaceId: string, conversationId: string) {
  return db
    .select()
    .from(conversationNotes)
    .where(
      and(
        eq(conversationNotes.workspaceId, workspaceId),
        eq(conversationNotes.conversationId, conversationId),
      ),
    )
    .orderBy(asc(conversationNotes.createdAt), asc(conversationNotes.id));
}

/** Notes as the API shows them: current names for authors and mentioned members who are users. */
export async function toNotes(db: Executor, rows: readonly NoteRow[]): Promise<Note[]> {
  const ids = [...new Set(rows.flatMap((row) => [row.authorId, ...row.mentions]))];
  const names = new Map<string, string>();
  if (ids.length > 0) {
    const found = await db
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(inArray(users.id, ids));
    for (const user of found) names.set(user.id, user.name);
  }
  return rows.map((row) => ({
    id: row.id,
    conversationId: row.conversationId,
    body: row.body,
    author: { id: row.authorId, name: names.get(row.authorId) ?? row.authorName },
    mentions: row.mentions.map((userId) => ({ userId, name: names.get(userId) ?? '' })),
    createdAt: row.createdAt.toISOString(),
  }));
}
