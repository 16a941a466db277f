import type { Database, Executor } from '../../platform/db/client.js';
import type { Actor, WorkspaceAccess } from '../../platform/http/auth.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { revokeApiKeysCreatedBy } from '../identity/identity.repository.js';
import { mayActOnRole, permissionsOf, type Role } from './permissions.js';
import { effectiveLimits, type LimitOverrides, type PlanLimits, type PlanName } from './plans.js';
import * as repo from './workspaces.repository.js';

export type { MemberView, WorkspaceRow } from './workspaces.repository.js';

export interface WorkspaceView {
  id: string;
  name: string;
  plan: PlanName;
  limits: PlanLimits;
  createdAt: Date;
}

function view(row: repo.WorkspaceRow): WorkspaceView {
  return {
    id: row.id,
    name: row.name,
    plan: row.plan,
    limits: effectiveLimits(row),
    createdAt: row.createdAt,
  };
}

/** Creates a workspace with `ownerUserId` as its first Owner, inside the caller's transaction. */
export async function createWorkspaceInTx(
  tx: Executor,
  actor: Actor,
  input: { name: string; ownerUserId: string },
): Promise<WorkspaceView> {
  const row = await repo.insertWorkspace(tx, { id: newId('workspace'), name: input.name, plan: 'free' });
  const memberId = newId('member');
  await repo.insertMember(tx, row.id, { id: memberId, userId: input.ownerUserId, role: 'owner' });
  await recordAudit(tx, actor, {
    workspaceId: row.id,
    action: 'workspace.created',
    resourceType: 'workspace',
    resourceId: row.id,
    after: { name: row.name, plan: row.plan },
  });
  await recordAudit(tx, actor, {
    workspaceId: row.id,
    action: 'member.added',
    resourceType: 'member',
    resourceId: memberId,
    after: { userId: input.ownerUserId, role: 'owner' },
  });
  return view(row);
}

export async function createWorkspace(
  db: Database,
  actor: Actor,
  input: { name: string; ownerUserId: string },
) {
  return db.transaction((tx) => createWorkspaceInTx(tx, actor, input));
}

export async function getWorkspace(db: Executor, workspaceId: string): Promise<WorkspaceView | undefined> {
  const row = await repo.findWorkspace(db, workspaceId);
  return row ? view(row) : undefined;
}

/** The limits later modules enforce (messages per minute, seats, retention). */
export async function workspaceLimits(db: Executor, workspaceId: string): Promise<PlanLimits | undefined> {
  const row = await repo.findWorkspace(db, workspaceId);
  return row ? effectiveLimits(row) : undefined;
}

export async function myWorkspaces(db: Executor, userId: string) {
  const rows = await repo.workspacesOfUser(db, userId);
  return rows.map((row) => ({ ...row, role: row.role as Role }));
}

export async function membershipOf(db: Executor, workspaceId: string, userId: string) {
  const found = await repo.findMembership(db, workspaceId, userId);
  return found ? { memberId: found.id, role: found.role } : null;
}

export async function renameWorkspace(db: Database, access: WorkspaceAccess, name: string) {
  return db.transaction(async (tx) => {
    const before = await repo.findWorkspace(tx, access.workspaceId);
    const after = await repo.updateWorkspace(tx, access.workspaceId, { name });
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'workspace.updated',
      resourceType: 'workspace',
      resourceId: access.workspaceId,
      before: { name: before?.name },
      after: { name },
    });
    return view(after!);
  });
}

/** The operator's plan change (never a workspace member's: limits and audit retention hang on it). */
export async function changePlan(
  db: Database,
  actor: Actor,
  workspaceId: string,
  input: { plan: PlanName; limits?: LimitOverrides },
): Promise<WorkspaceView | null> {
  return db.transaction(async (tx) => {
    const before = await repo.findWorkspace(tx, workspaceId);
    if (!before) return null;
    const overrides = input.plan === 'enterprise' ? (input.limits ?? before.limitOverrides ?? null) : null;
    const after = await repo.updateWorkspace(tx, workspaceId, {
      plan: input.plan,
      limitOverrides: overrides,
    });
    await recordAudit(tx, actor, {
      workspaceId,
      action: 'workspace.plan_changed',
      resourceType: 'workspace',
      resourceId: workspaceId,
      before: { plan: before.plan, limitOverrides: before.limitOverrides },
      after: { plan: input.plan, limitOverrides: overrides },
    });
    return view(after!);
  });
}

export async function listMembers(db: Executor, workspaceId: string) {
  return repo.listMembers(db, workspaceId);
}

export type MemberChangeFailure = 'not_found' | 'outranked' | 'last_owner';
export type MemberChangeResult<T> = { ok: true; value: T } | { ok: false; reason: MemberChangeFailure };

export async function changeMemberRole(
  db: Database,
  access: WorkspaceAccess,
  memberId: string,
  role: Role,
): Promise<MemberChangeResult<repo.MemberView>> {
  return db.transaction(async (tx) => {
    const owners = await repo.lockOwners(tx, access.workspaceId);
    const member = await repo.findMemberForUpdate(tx, access.workspaceId, memberId);
    if (!member) return { ok: false, reason: 'not_found' };
    if (!mayActOnRole(access.role, member.role) || !mayActOnRole(access.role, role)) {
      return { ok: false, reason: 'outranked' };
    }
    if (member.role === 'owner' && role !== 'owner' && owners <= 1)
      return { ok: false, reason: 'last_owner' };
    if (member.role === role) return { ok: true, value: member };
    await repo.updateMemberRole(tx, access.workspaceId, memberId, role);
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'member.role_changed',
      resourceType: 'member',
      resourceId: memberId,
      before: { userId: member.userId, email: member.email, role: member.role },
      after: { userId: member.userId, email: member.email, role },
    });
    return { ok: true, value: { ...member, role } };
  });
}

export async function removeMember(
  db: Database,
  access: WorkspaceAccess,
  memberId: string,
): Promise<MemberChangeResult<null>> {
  return db.transaction(async (tx) => {
    const owners = await repo.lockOwners(tx, access.workspaceId);
    const member = await repo.findMemberForUpdate(tx, access.workspaceId, memberId);
    if (!member) return { ok: false, reason: 'not_found' };
    if (!mayActOnRole(access.role, member.role)) return { ok: false, reason: 'outranked' };
    if (member.role === 'owner' && owners <= 1) return { ok: false, reason: 'last_owner' };
    await repo.deleteMember(tx, access.workspaceId, memberId);
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'member.removed',
      resourceType: 'member',
      resourceId: memberId,
      before: { userId: member.userId, email: member.email, role: member.role },
    });
    // Keys the member created here act with the workspace's authority: they leave with the member.
    for (const key of await revokeApiKeysCreatedBy(tx, access.workspaceId, member.userId)) {
      await recordAudit(tx, access.actor, {
        workspaceId: access.workspaceId,
        action: 'api_key.revoked',
        resourceType: 'api_key',
        resourceId: key.id,
        before: { name: key.name, role: key.role, prefix: key.prefix, createdByUserId: key.createdByUserId },
        after: { reason: 'member_removed', memberId },
      });
    }
    return { ok: true, value: null };
  });
}

/** What the caller may do here, for the web app to hide what it can't use. */
export function callerPermissions(access: WorkspaceAccess) {
  return { role: access.role, permissions: permissionsOf(access.role) };
}

/** Every workspace with its audit retention, page by page (for the retention job). */
export async function* retentionPolicies(
  db: Executor,
): AsyncGenerator<{ workspaceId: string; days: number }> {
  let afterId: string | undefined;
  for (;;) {
    const page = await repo.workspacesPage(db, afterId, 500);
    for (const row of page) yield { workspaceId: row.id, days: effectiveLimits(row).auditRetentionDays };
    if (page.length < 500) return;
    afterId = page.at(-1)?.id;
  }
}
