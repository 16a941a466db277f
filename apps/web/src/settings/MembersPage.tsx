import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call, errorMessage } from '../api/client';
import { type Invitation, type Member, mayActOnRole, type Role, roleLabels } from '../api/types';
import { useWorkspace } from '../app/workspace';
import { useMe } from '../auth/session';
import { useAnnounce } from '../ui/announcer';
import { useConfirmedAction } from '../ui/confirm';
import { DataTable, RowAction } from '../ui/DataTable';
import { formatDate } from '../ui/format';
import { EmptyState, QueryState } from '../ui/states';
import { ConfirmDialog } from './ConfirmDialog';
import { InviteDialog } from './InviteDialog';
import { invitationsKey, membersKey, useInvitations, useMembers } from './queries';
import { RoleOptions } from './RoleOptions';

export default function MembersPage() {
  const { id: workspaceId, can } = useWorkspace();
  const members = useMembers(workspaceId);
  const invitations = useInvitations(workspaceId);
  const [inviting, setInviting] = useState(false);

  return (
    <div className="stack-lg">
      <section className="card" aria-labelledby="members-title">
        <div className="card-head">
          <div>
            <h2 id="members-title">Members</h2>
            <p className="muted small">People who can sign in to this workspace, and what they can do.</p>
          </div>
          {can('members.invite') && (
            <button type="button" className="btn btn-primary" onClick={() => setInviting(true)}>
              Invite member
            </button>
          )}
        </div>
        <QueryState query={members} loading="Loading members…">
          {(data) => <MemberTable members={data.items} />}
        </QueryState>
      </section>

      <section className="card" aria-labelledby="invitations-title">
        <div className="card-head">
          <h2 id="invitations-title">Pending invitations</h2>
        </div>
        <QueryState
          query={invitations}
          loading="Loading invitations…"
          isEmpty={(data) => data.items.length === 0}
          empty={
            <EmptyState title="No pending invitations">
              {can('members.invite') ? 'Invite a teammate and they will show here until they join.' : null}
            </EmptyState>
          }
        >
          {(data) => <InvitationTable invitations={data.items} />}
        </QueryState>
      </section>
      <InviteDialog open={inviting} onClose={() => setInviting(false)} />
    </div>
  );
}

function MemberTable({ members }: { members: Member[] }) {
  const { id: workspaceId, role: myRole, can } = useWorkspace();
  const me = useMe();
  const queryClient = useQueryClient();
  const announce = useAnnounce();

  const changeRole = useMutation({
    mutationFn: ({ member, role }: { member: Member; role: Role }) =>
      call(
        api.PATCH('/api/v1/workspaces/{workspaceId}/members/{memberId}', {
          params: { path: { workspaceId, memberId: member.id } },
          body: { role },
        }),
      ),
    onSuccess: (member) => announce(`${member.name} is now ${roleLabels[member.role]}`),
    onError: (error) => announce(errorMessage(error), 'error'),
    onSettled: () => queryClient.invalidateQueries({ queryKey: membersKey(workspaceId) }),
  });
  const removal = useConfirmedAction({
    action: (member: Member) =>
      call(
        api.DELETE('/api/v1/workspaces/{workspaceId}/members/{memberId}', {
          params: { path: { workspaceId, memberId: member.id } },
        }),
      ),
    queryKey: membersKey(workspaceId),
    done: (member) => `${member.name} was removed`,
  });

  const manageable = (member: Member) =>
    member.userId !== me.data?.user.id && mayActOnRole(myRole, member.role);

  return (
    <>
      <DataTable
        rows={members}
        columns={[
          {
            header: 'Name',
            cell: (member) => (
              <>
                <div className="cell-primary">
                  {member.name}
                  {member.userId === me.data?.user.id && <span className="badge badge-muted">You</span>}
                </div>
                <div className="cell-secondary">{member.email}</div>
              </>
            ),
          },
          {
            header: 'Role',
            cell: (member) =>
              can('members.update_role') && manageable(member) ? (
                <select
                  aria-label={`Role of ${member.name}`}
                  value={member.role}
                  disabled={changeRole.isPending}
                  onChange={(event) => changeRole.mutate({ member, role: event.target.value as Role })}
                >
                  <RoleOptions myRole={myRole} />
                </select>
              ) : (
                <span className={`badge badge-role-${member.role}`}>{roleLabels[member.role]}</span>
              ),
          },
          { header: 'Joined', hideSm: true, cell: (member) => formatDate(member.createdAt) },
        ]}
        actions={(member) =>
          can('members.remove') &&
          manageable(member) && (
            <RowAction
              tone="danger"
              label="Remove"
              subject={member.name}
              onClick={() => removal.ask(member)}
            />
          )
        }
      />
      <ConfirmDialog
        title="Remove member?"
        body={
          removal.target
            ? `${removal.target.name} (${removal.target.email}) loses access to this workspace at once.`
            : ''
        }
        confirmLabel="Remove member"
        {...removal.dialog}
      />
    </>
  );
}

function InvitationTable({ invitations }: { invitations: Invitation[] }) {
  const { id: workspaceId, can } = useWorkspace();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const revoke = useMutation({
    mutationFn: (invitation: Invitation) =>
      call(
        api.DELETE('/api/v1/workspaces/{workspaceId}/invitations/{invitationId}', {
          params: { path: { workspaceId, invitationId: invitation.id } },
        }),
      ),
    onSuccess: (_done, invitation) => announce(`Invitation to ${invitation.email} revoked`),
    onError: (error) => announce(errorMessage(error), 'error'),
    onSettled: () => queryClient.invalidateQueries({ queryKey: invitationsKey(workspaceId) }),
  });

  return (
    <DataTable
      rows={invitations}
      columns={[
        {
          header: 'Email',
          cell: (invitation) => (
            <>
              <div className="cell-primary">{invitation.email}</div>
              {invitation.status === 'expired' && <span className="badge badge-warn">Expired</span>}
            </>
          ),
        },
        {
          header: 'Role',
          cell: (invitation) => (
            <span className={`badge badge-role-${invitation.role}`}>{roleLabels[invitation.role]}</span>
          ),
        },
        { header: 'Expires', hideSm: true, cell: (invitation) => formatDate(invitation.expiresAt) },
      ]}
      actions={(invitation) =>
        can('members.invite') && (
          <RowAction
            tone="danger"
            label="Revoke"
            subject={`invitation to ${invitation.email}`}
            disabled={revoke.isPending}
            onClick={() => revoke.mutate(invitation)}
          />
        )
      }
    />
  );
}
