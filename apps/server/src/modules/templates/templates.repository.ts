import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { type TemplateRow, templates } from './templates.tables.js';

export async function findTemplateByName(
  db: Executor,
  workspaceId: string,
  wabaId: string,
  name: string,
  language: string,
): Promise<TemplateRow | undefined> {
  const [row] = await db
    .select()
    .from(templates)
    .where(
      and(
        eq(templates.workspaceId, workspaceId),
        eq(templates.wabaId, wabaId),
        eq(templates.name, name),
        eq(templates.language, language),
      ),
    );
  return row;
}

export async function findTemplate(
  db: Executor,
  workspaceId: string,
  id: string,
): Promise<TemplateRow | undefined> {
  const [row] = await db
    .select()
    .from(templates)
    .where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, id)));
  return row;
}

export async function listTemplateRows(
  db: Executor,
  workspaceId: string,
  filters: { status?: string; wabaId?: string },
) {
  return db
    .select()
    .from(templates)
    .where(
      and(
        eq(templates.workspaceId, workspaceId),
        filters.status ? eq(templates.status, filters.status) : undefined,
        filters.wabaId ? eq(templates.wabaId, filters.wabaId) : undefined,
      ),
    )
    .orderBy(templates.name, templates.language);
}
