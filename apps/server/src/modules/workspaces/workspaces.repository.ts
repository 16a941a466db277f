import { and, asc, count, eq, gt, isNull } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
// Read-only join for member lists: a member row means little without the person's name and email.
import { users } from '../identity/identity.tables.js';
import type { Role } from './permissions.js';
import type { LimitOverrides, PlanName } from './plans.js';
import { invitations, workspaceMembers, workspaces } from './workspaces.tables.js';

export type WorkspaceRow = typeof workspaces.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;

export interface MemberView {
  id: string;
  userId: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
}

export async function insertWorkspace(db: Executor, row: { id: string; name: string; plan: PlanName }) {
  const [created] = await db.insert(workspaces).values(row).returning();
  return created!;
}

export async function findWorkspace(db: Executor, workspaceId: string): Promise<WorkspaceRow | undefined> {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  return row;
}

export async function updateWorkspace(
  db: Executor,
  workspaceId: string,
  patch: { name?: string; plan?: PlanName; limitOverrides?: LimitOverrides | null },
): Promise<WorkspaceRow | undefined> {
  const [row] = await db
    .update(workspaces)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(workspaces.id, workspaceId))
    .returning();
  return row;
}

/** Workspaces in id order after `afterId` (the retention job walks all of them). */
export async function workspacesPage(db: Executor, afterId: string | undefined, limit: number) {
  return db
    .select()
    .from(workspaces)
    .where(afterId ? gt(workspaces.id, afterId) : undefined)
    .orderBy(asc(workspaces.id))
    .limit(limit);
}

/** A user's workspaces: keyed by user, not tenant, because this is how a user finds their tenants. */
export async function workspacesOfUser(db: Executor, userId: string) {
  return db
    .select({ id: workspaces.id, name: workspaces.name, plan: workspaces.plan, role: workspaceMembers.role })
    .from(workspaceMembers)
    .innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
    .where(eq(workspaceMembers.userId, userId))
    .orderBy(asc(workspaces.id));
}

export async function insertMember(
  db: Executor,
  workspaceId: string,
  row: { id: string; userId: string; role: Role },
): Promise<boolean> {
  const inserted = await db
    .insert(workspaceMembers)
    .values({ ...row, workspaceId })
    .onConflictDoNothing()
    .returning({ id: workspaceMembers.id });
  return inserted.length > 0;
}

export async function findMembership(db: Executor, workspaceId: string, userId: string) {
  const [row] = await db
    .select({ id: workspaceMembers.id, role: workspaceMembers.role })
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)));
  return row ? { id: row.id, role: row.role as Role } : undefined;
}

const memberColumns = {
  id: workspaceMembers.id,
  userId: workspaceMembers.userId,
  email: users.email,
  name: users.name,
  role: workspaceMembers.role,
  createdAt: workspaceMembers.createdAt,
};

export async function listMembers(db: Executor, workspaceId: string): Promise<MemberView[]> {
  const rows = await db
    .select(memberColumns)
    .from(workspaceMembers)
    .innerJoin(users, eq(users.id, workspaceMembers.userId))
    .where(eq(workspaceMembers.workspaceId, workspaceId))
    .orderBy(asc(workspaceMembers.id));
  return rows.map((row) => ({ ...row, role: row.role as Role }));
}

/** Locks the member row for the rest of the transaction (role changes and removals serialise on it). */
export async function findMemberForUpdate(
  db: Executor,
  workspaceId: string,
  memberId: string,
): Promise<MemberView | undefined> {
  const [row] = await db
    .select(memberColumns)
    .from(workspaceMembers)
    .innerJoin(users, eq(users.id, workspaceMembers.userId))
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.id, memberId)))
    .for('update', { of: workspaceMembers });
  return row ? { ...row, role: row.role as Role } : undefined;
}

/**
 * Locks every Owner row of the workspace and counts them. Two Owners demoting each other at the same
 * moment then run one after the other, so the second sees the first's change and the last Owner stays.
 */
export async function lockOwners(db: Executor, workspaceId: string): Promise<number> {
  const rows = await db
    .select({ id: workspaceMembers.id })
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.role, 'owner')))
    .for('update');
  return rows.length;
}

export async function updateMemberRole(db: Executor, workspaceId: string, memberId: string, role: Role) {
  await db
    .update(workspaceMembers)
    .set({ role, updatedAt: new Date() })
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.id, memberId)));
}

export async function deleteMember(db: Executor, workspaceId: string, memberId: string) {
  await db
    .delete(workspaceMembers)
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.id, memberId)));
}

export async function isMemberByEmail(db: Executor, workspaceId: string, email: string): Promise<boolean> {
  const [row] = await db
    .select({ id: workspaceMembers.id })
    .from(workspaceMembers)
    .innerJoin(users, eq(users.id, workspaceMembers.userId))
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(users.email, email)));
  return row !== undefined;
}

export async function countMembers(db: Executor, workspaceId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(workspaceMembers)
    .where(eq(workspaceMembers.workspaceId, workspaceId));
  return row?.n ?? 0;
}

const openInvitation = and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt));

export async function insertInvitation(
  db: Executor,
  workspaceId: string,
  row: Omit<typeof invitations.$inferInsert, 'workspaceId'>,
): Promise<InvitationRow | undefined> {
  const [created] = await db
    .insert(invitations)
    .values({ ...row, workspaceId })
    .onConflictDoNothing()
    .returning();
  return created;
}

/** Open invitations, expired ones included (the list shows them as expired). */
export async function listOpenInvitations(db: Executor, workspaceId: string): Promise<InvitationRow[]> {
  return db
    .select()
    .from(invitations)
    .where(and(eq(invitations.workspaceId, workspaceId), openInvitation))
    .orderBy(asc(invitations.id));
}

export async function countOpenInvitations(db: Executor, workspaceId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(invitations)
    .where(and(eq(invitations.workspaceId, workspaceId), openInvitation));
  return row?.n ?? 0;
}

export async function findOpenInvitation(db: Executor, workspaceId: string, invitationId: string) {
  const [row] = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.id, invitationId), openInvitation));
  return row;
}

/** By token, across workspaces: the token is what tells us which workspace. Locked until commit. */
export async function findInvitationByTokenForUpdate(db: Executor, hash: string) {
  const [row] = await db.select().from(invitations).where(eq(invitations.tokenHash, hash)).for('update');
  return row;
}

export async function closeInvitation(
  db: Executor,
  workspaceId: string,
  invitationId: string,
  how: 'accepted' | 'revoked',
) {
  const now = new Date();
  await db
    .update(invitations)
    .set(how === 'accepted' ? { acceptedAt: now } : { revokedAt: now })
    .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.id, invitationId)));
}

export async function findOpenInvitationByEmail(db: Executor, workspaceId: string, email: string) {
  const [row] = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.email, email), openInvitation));
  return row;
}
