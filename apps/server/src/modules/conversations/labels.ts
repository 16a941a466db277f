import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../platform/db/client.js';
import type { WorkspaceAccess } from '../../platform/http/auth.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { conversationLabels, type LabelRow, labels } from './conversations.tables.js';

type Access = Pick<WorkspaceAccess, 'workspaceId' | 'actor'>;
export type Label = {
  id: string;
  name: string;
  color: string;
};
export type LabelFailure = 'not_found' | 'label_exists';

const toLabel = (row: Pick<LabelRow, 'id' | 'name' | 'color'>): Label => ({
  id: row.id,
  name: row.name,
  color: row.color,
});

export async function listLabels(db: Executor, workspaceId: string): Promise<Label[]> {
  const rows = await db
    .select()
    .from(labels)
    .where(eq(labels.workspaceId, workspaceId))
    .orderBy(asc(sql`lower(${labels.name})`));
  return rows.map(toLabel);
}

/** Names are unique per workspace whatever their case. */
async function nameTaken(tx: Executor, workspaceId: string, name: string, exceptId?: string) {
  const [row] = await tx
    .select({ id: labels.id })
    .from(labels)
    .where(
      and(
        eq(labels.workspaceId, workspaceId),
        eq(sql`lower(${labels.name})`, name.toLowerCase()),
        exceptId ? ne(labels.id, exceptId) : undefined,
      ),
    );
  return Boolean(row);
}

export async function createLabel(
  db: Database,
  access: Access,
  input: { name: string; color: string },
): Promise<{ ok: true; value: Label } | { ok: false; reason: LabelFailure }> {
  return db.transaction(async (tx) => {
    if (await nameTaken(tx, access.workspaceId, input.name)) return { ok: false, reason: 'label_exists' };
    const [row] = await tx
      .insert(labels)
      .values({ id: newId('label'), workspaceId: access.workspaceId, ...input })
      .onConflictDoNothing()
      .returning();
    if (!row) return { ok: false, reason: 'label_exists' };
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'label.created',
      resourceType: 'label',
      resourceId: row.id,
      after: toLabel(row),
    });
    return { ok: true, value: toLabel(row) };
  });
}

export async function updateLabel(
  db: Database,
  access: Access,
  labelId: string,
  patch: { name?: string; color?: string },
): Promise<{ ok: true; value: Label } | { ok: false; reason: LabelFailure }> {
  return db.transaction(async (tx) => {
    const where = and(eq(labels.workspaceId, access.workspaceId), eq(labels.id, labelId));
    const [before] = await tx.select().from(labels).where(where).for('update');
    if (!before) return { ok: false, reason: 'not_found' };
    if (patch.name && (await nameTaken(tx, access.workspaceId, patch.name, labelId))) {
      return { ok: false, reason: 'label_exists' };
    }
    const [row] = await tx.update(labels).set(patch).where(where).returning();
    if (!row) return { ok: false, reason: 'not_found' };
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'label.updated',
      resourceType: 'label',
      resourceId: row.id,
      before: toLabel(before),
      after: toLabel(row),
    });
    return { ok: true, value: toLabel(row) };
  });
}

/** Deletes the label; conversations lose it with it (the foreign key cascades). */
export async function deleteLabel(db: Database, access: Access, labelId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(labels)
      .where(and(eq(labels.workspaceId, access.workspaceId), eq(labels.id, labelId)))
      .returning();
    if (!row) return false;
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'label.deleted',
      resourceType: 'label',
      resourceId: row.id,
      before: toLabel(row),
    });
    return true;
  });
}

/** The labels of many conversations at once (one query for a page of the list). */
export async function labelsOfConversations(
  db: Executor,
  workspaceId: string,
  conversationIds: readonly string[],
): Promise<Map<string, Label[]>> {
  const result = new Map<string, Label[]>();
  if (conversationIds.length === 0) return result;
  const rows = await db
    .select({
      conversationId: conversationLabels.conversationId,
      id: labels.id,
      name: labels.name,
      color: labels.color,
    })
    .from(conversationLabels)
    .innerJoin(labels, eq(labels.id, conversationLabels.labelId))
    .where(
      and(
        eq(conversationLabels.workspaceId, workspaceId),
        inArray(conversationLabels.conversationId, [...conversationIds]),
      ),
    )
    .orderBy(asc(sql`lower(${labels.name})`));
  for (const row of rows) {
    const list = result.get(row.conversationId) ?? [];
    list.push(toLabel(row));
    result.set(row.conversationId, list);
  }
  return result;
}

/** The workspace's labels among `labelIds`; fewer than asked means some are unknown here. */
export async function findLabels(tx: Executor, workspaceId: string, labelIds: readonly string[]) {
  if (labelIds.length === 0) return [];
  const rows = await tx
    .select()
    .from(labels)
    .where(and(eq(labels.workspaceId, workspaceId), inArray(labels.id, [...labelIds])));
  return rows.map(toLabel);
}

/** Replaces a conversation's labels (the caller holds the conversation's row lock). */
export async function replaceConversationLabels(
  tx: Executor,
  workspaceId: string,
  conversationId: string,
  labelIds: readonly string[],
): Promise<void> {
  await tx
    .delete(conversationLabels)
    .where(
      and(
        eq(conversationLabels.workspaceId, workspaceId),
        eq(conversationLabels.conversationId, conversationId),
      ),
    );
  if (labelIds.length === 0) return;
  await tx
    .insert(conversationLabels)
    .values(labelIds.map((labelId) => ({ workspaceId, conversationId, labelId })));
}
