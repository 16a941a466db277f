import { and, asc, eq, like, ne } from 'drizzle-orm';
import type { Database, Executor } from '../../platform/db/client.js';
import type { WorkspaceAccess } from '../../platform/http/auth.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { type QuickReplyRow, quickReplies } from './conversations.tables.js';

type Access = Pick<WorkspaceAccess, 'workspaceId' | 'actor'>;
export type QuickReply = {
  id: string;
  shortcut: string;
  body: string;
};
export type QuickReplyFailure = 'not_found' | 'shortcut_exists';
type Outcome = { ok: true; value: QuickReply } | { ok: false; reason: QuickReplyFailure };

const toQuickReply = (row: QuickReplyRow): QuickReply => ({
  id: row.id,
  shortcut: row.shortcut,
  body: row.body,
});

/** Shortcuts are kept in lower case without the slash the composer shows. */
export const normaliseShortcut = (shortcut: string) => shortcut.replace(/^\//, '').toLowerCase();

/** Quick replies whose shortcut starts with `prefix` (all of them without one), by shortcut. */
export async function listQuickReplies(db: Executor, workspaceId: string, prefix?: string) {
  const start = prefix ? normaliseShortcut(prefix).replace(/[\\%_]/g, '\\$&') : '';
  const rows = await db
    .select()
    .from(quickReplies)
    .where(
      and(
        eq(quickReplies.workspaceId, workspaceId),
        start ? like(quickReplies.shortcut, `${start}%`) : undefined,
      ),
    )
    .orderBy(asc(quickReplies.shortcut))
    .limit(200);
  return rows.map(toQuickReply);
}

async function shortcutTaken(tx: Executor, workspaceId: string, shortcut: string, exceptId?: string) {
  const [row] = await tx
    .select({ id: quickReplies.id })
    .from(quickReplies)
    .where(
      and(
        eq(quickReplies.workspaceId, workspaceId),
        eq(quickReplies.shortcut, shortcut),
        exceptId ? ne(quickReplies.id, exceptId) : undefined,
      ),
    );
  return Boolean(row);
}

export async function createQuickReply(
  db: Database,
  access: Access,
  input: { shortcut: string; body: string },
): Promise<Outcome> {
  const shortcut = normaliseShortcut(input.shortcut);
  return db.transaction(async (tx) => {
    if (await shortcutTaken(tx, access.workspaceId, shortcut))
      return { ok: false, reason: 'shortcut_exists' };
    const [row] = await tx
      .insert(quickReplies)
      .values({ id: newId('quickReply'), workspaceId: access.workspaceId, shortcut, body: input.body })
      .onConflictDoNothing()
      .returning();
    if (!row) return { ok: false, reason: 'shortcut_exists' };
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'quick_reply.created',
      resourceType: 'quick_reply',
      resourceId: row.id,
      after: toQuickReply(row),
    });
    return { ok: true, value: toQuickReply(row) };
  });
}

export async function updateQuickReply(
  db: Database,
  access: Access,
  id: string,
  patch: { shortcut?: string; body?: string },
): Promise<Outcome> {
  const shortcut = patch.shortcut === undefined ? undefined : normaliseShortcut(patch.shortcut);
  return db.transaction(async (tx) => {
    const where = and(eq(quickReplies.workspaceId, access.workspaceId), eq(quickReplies.id, id));
    const [before] = await tx.select().from(quickReplies).where(where).for('update');
    if (!before) return { ok: false, reason: 'not_found' };
    if (shortcut && (await shortcutTaken(tx, access.workspaceId, shortcut, id))) {
      return { ok: false, reason: 'shortcut_exists' };
    }
    const [row] = await tx
      .update(quickReplies)
      .set({
        ...(shortcut ? { shortcut } : {}),
        ...(patch.body ? { body: patch.body } : {}),
        updatedAt: new Date(),
      })
      .where(where)
      .returning();
    if (!row) return { ok: false, reason: 'not_found' };
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'quick_reply.updated',
      resourceType: 'quick_reply',
      resourceId: row.id,
      before: toQuickReply(before),
      after: toQuickReply(row),
    });
    return { ok: true, value: toQuickReply(row) };
  });
}

export async function deleteQuickReply(db: Database, access: Access, id: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(quickReplies)
      .where(and(eq(quickReplies.workspaceId, access.workspaceId), eq(quickReplies.id, id)))
      .returning();
    if (!row) return false;
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'quick_reply.deleted',
      resourceType: 'quick_reply',
      resourceId: row.id,
      before: toQuickReply(row),
    });
    return true;
  });
}

export async function findQuickReply(db: Executor, workspaceId: string, id: string) {
  const [row] = await db
    .select()
    .from(quickReplies)
    .where(and(eq(quickReplies.workspaceId, workspaceId), eq(quickReplies.id, id)));
  return row ? toQuickReply(row) : undefined;
}

export interface RenderContext {
  contact: {
    name: string | null;
    firstName: string | null;
    phone: string | null;
    attributes: Record<string, string>;
  };
  agent: { name: string | null; email: string | null };
}

/**
 * Fills `{{contact.name}}`, `{{contact.first_name}}`, `{{contact.phone}}`, `{{agent.name}}`,
 * `{{agent.email}}` and any contact attribute (`{{contact.city}}`). Unknown variables become empty, so
 * a customer never sees braces.
 */
export function renderQuickReply(body: string, context: RenderContext): string {
  const values: Record<string, string | null> = {
    'contact.name': context.contact.name,
    'contact.first_name': context.contact.firstName,
    'contact.phone': context.contact.phone,
    'agent.name': context.agent.name,
    'agent.email': context.agent.email,
  };
  return body.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => {
    if (name in values) return values[name] ?? '';
    const attribute = name.startsWith('contact.') ? context.contact.attributes[name.slice(8)] : undefined;
    return attribute ?? '';
  });
}
