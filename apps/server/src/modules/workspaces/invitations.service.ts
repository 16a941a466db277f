import type { Database, Executor } from '../../platform/db/client.js';
import type { Actor, UserPrincipal, WorkspaceAccess } from '../../platform/http/auth.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/logger.js';
import { recordAudit } from '../audit/audit.service.js';
import type { Mailer } from '../identity/mailer.js';
import { randomToken, tokenHash } from '../identity/secrets.js';
import { mayActOnRole, type Role } from './permissions.js';
import { effectiveLimits } from './plans.js';
import * as repo from './workspaces.repository.js';

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface InvitationView {
  id: string;
  email: string;
  role: Role;
  status: 'pending' | 'expired';
  expiresAt: Date;
  createdAt: Date;
}

function view(row: repo.InvitationRow, now = new Date()): InvitationView {
  return {
    id: row.id,
    email: row.email,
    role: row.role as Role,
    status: row.expiresAt > now ? 'pending' : 'expired',
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
  };
}

export async function listInvitations(db: Executor, workspaceId: string): Promise<InvitationView[]> {
  const now = new Date();
  return (await repo.listOpenInvitations(db, workspaceId)).map((row) => view(row, now));
}

export type InviteFailure = 'outranked' | 'already_member' | 'already_invited' | 'seat_limit';

/** Creates the invitation (and its audit row) in one transaction, then emails the link. */
export async function inviteMember(
  db: Database,
  deps: { mailer: Mailer; publicUrl: string; logger: Logger },
  access: WorkspaceAccess,
  input: { email: string; role: Role },
): Promise<{ ok: true; value: InvitationView } | { ok: false; reason: InviteFailure }> {
  if (!mayActOnRole(access.role, input.role)) return { ok: false, reason: 'outranked' };
  const token = randomToken();
  const outcome = await db.transaction(async (tx) => {
    const workspace = await repo.findWorkspace(tx, access.workspaceId);
    if (!workspace) throw new Error('workspace vanished during an authorised request');
    if (await repo.isMemberByEmail(tx, access.workspaceId, input.email)) {
      return { ok: false as const, reason: 'already_member' as const };
    }
    const existing = await repo.findOpenInvitationByEmail(tx, access.workspaceId, input.email);
    if (existing && existing.expiresAt > new Date())
      return { ok: false as const, reason: 'already_invited' as const };
    if (existing) await repo.closeInvitation(tx, access.workspaceId, existing.id, 'revoked');
    const seats = effectiveLimits(workspace).seats;
    if (seats !== null) {
      const taken =
        (await repo.countMembers(tx, access.workspaceId)) +
        (await repo.countOpenInvitations(tx, access.workspaceId));
      if (taken >= seats) return { ok: false as const, reason: 'seat_limit' as const };
    }
    const row = await repo.insertInvitation(tx, access.workspaceId, {
      id: newId('invitation'),
      email: input.email,
      role: input.role,
      tokenHash: tokenHash(token),
      invitedByUserId: access.principal.kind === 'user' ? access.principal.userId : null,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    });
    // A concurrent invite of the same address won the unique index.
    if (!row) return { ok: false as const, reason: 'already_invited' as const };
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'invitation.created',
      resourceType: 'invitation',
      resourceId: row.id,
      after: { email: row.email, role: row.role, expiresAt: row.expiresAt.toISOString() },
    });
    return { ok: true as const, value: view(row), workspaceName: workspace.name };
  });
  if (!outcome.ok) return outcome;
  const link = `${deps.publicUrl}/invitations/accept?token=${encodeURIComponent(token)}`;
  try {
    await deps.mailer.send({
      kind: 'invitation',
      to: input.email,
      subject: `You are invited to ${outcome.workspaceName} on OpenWABA`,
      text: `You have been invited to join ${outcome.workspaceName} as ${input.role}. Accept within 7 days: ${link}`,
      link,
    });
  } catch (error) {
    // The invitation stands (revoke and invite again to resend); the mail server's trouble is logged.
    deps.logger.error({ err: error, invitationId: outcome.value.id }, 'invitation email not delivered');
  }
  return { ok: true, value: outcome.value };
}

export async function revokeInvitation(db: Database, access: WorkspaceAccess, invitationId: string) {
  return db.transaction(async (tx) => {
    const row = await repo.findOpenInvitation(tx, access.workspaceId, invitationId);
    if (!row) return false;
    await repo.closeInvitation(tx, access.workspaceId, row.id, 'revoked');
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'invitation.revoked',
      resourceType: 'invitation',
      resourceId: row.id,
      before: { email: row.email, role: row.role },
    });
    return true;
  });
}

export type AcceptFailure = 'invalid_token' | 'email_mismatch';

/**
 * Accepts an invitation for `user` inside the caller's transaction (sign-up with an invitation uses
 * the same path). The invitation must be open, unexpired and addressed to the user's email.
 */
export async function acceptInvitationInTx(
  tx: Executor,
  actor: Actor,
  user: Pick<UserPrincipal, 'userId' | 'email'>,
  token: string,
): Promise<{ ok: true; value: { workspaceId: string; role: Role } } | { ok: false; reason: AcceptFailure }> {
  const row = await repo.findInvitationByTokenForUpdate(tx, tokenHash(token));
  if (!row || row.acceptedAt || row.revokedAt || row.expiresAt <= new Date()) {
    return { ok: false, reason: 'invalid_token' };
  }
  if (row.email !== user.email) return { ok: false, reason: 'email_mismatch' };
  const role = row.role as Role;
  const memberId = newId('member');
  const added = await repo.insertMember(tx, row.workspaceId, { id: memberId, userId: user.userId, role });
  await repo.closeInvitation(tx, row.workspaceId, row.id, 'accepted');
  await recordAudit(tx, actor, {
    workspaceId: row.workspaceId,
    action: 'invitation.accepted',
    resourceType: 'invitation',
    resourceId: row.id,
    after: { email: row.email, role },
  });
  if (added) {
    await recordAudit(tx, actor, {
      workspaceId: row.workspaceId,
      action: 'member.added',
      resourceType: 'member',
      resourceId: memberId,
      after: { userId: user.userId, email: user.email, role },
    });
  }
  return { ok: true, value: { workspaceId: row.workspaceId, role } };
}

export async function acceptInvitation(
  db: Database,
  actor: Actor,
  user: Pick<UserPrincipal, 'userId' | 'email'>,
  token: string,
) {
  return db.transaction((tx) => acceptInvitationInTx(tx, actor, user, token));
}
