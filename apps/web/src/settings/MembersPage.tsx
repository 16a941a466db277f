import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call, errorMessage } from '../api/client';
import { type Invitation, type Member, mayActOnRole, type Role, roleLabels } from '../api/types';
import { useWorkspace } from '../app/workspace';
import { useMe } from '../auth/session';
import { useAnnounce } from '../ui/announcer';
import { formatDate } from '../ui/format';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
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
        {members.isPending && <Spinner label="Loading members…" />}
        {members.isError && <ErrorState error={members.error} onRetry={() => members.refetch()} />}
        {members.data && <MemberTable members={members.data.items} />}
      </section>

      <section className="card" aria-labelledby="invitations-title">
        <div className="card-head">
          <h2 id="invitations-title">Pending invitations</h2>
        </div>
        {invitations.isPending && <Spinner label="Loading invitations…" />}
        {invitations.isError && (
          <ErrorState error={invitations.error} onRetry={() => invitations.refetch()} />
        )}
        {invitations.data &&
          (invitations.data.items.length === 0 ? (
            <EmptyState title="No pending invitations">
              {can('members.invite') ? 'Invite a teammate and they will show here until they join.' : null}
            </EmptyState>
          ) : (
            <InvitationTable invitations={invitations.data.items} />
          ))}
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
  const [removing, setRemoving] = useState<Member | null>(null);

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
  const remove = useMutation({
    mutationFn: (member: Member) =>
      call(
        api.DELETE('/api/v1/workspaces/{workspaceId}/members/{memberId}', {
          params: { path: { workspaceId, memberId: member.id } },
        }),
      ),
    onSuccess: async (_done, member) => {
      await queryClient.invalidateQueries({ queryKey: membersKey(workspaceId) });
      announce(`${member.name} was removed`);
      setRemoving(null);
    },
  });

  const manageable = (member: Member) =>
    member.userId !== me.data?.user.id && mayActOnRole(myRole, member.role);

  return (
    <>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col" className="hide-sm">
                Joined
              </th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={member.id}>
                <td>
                  <div className="cell-primary">
                    {member.name}
                    {member.userId === me.data?.user.id && <span className="badge badge-muted">You</span>}
                  </div>
                  <div className="cell-secondary">{member.email}</div>
                </td>
                <td>
                  {can('members.update_role') && manageable(member) ? (
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
                  )}
                </td>
                <td className="hide-sm">{formatDate(member.createdAt)}</td>
                <td className="cell-actions">
                  {can('members.remove') && manageable(member) && (
                    <button
                      type="button"
                      className="btn btn-small btn-ghost-danger"
                      onClick={() => setRemoving(member)}
                    >
                      Remove<span className="sr-only"> {member.name}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        title="Remove member?"
        body={removing ? `${removing.name} (${removing.email}) loses access to this workspace at once.` : ''}
        confirmLabel="Remove member"
        open={removing !== null}
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => {
          remove.reset();
          setRemoving(null);
        }}
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
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col" className="hide-sm">
              Expires
            </th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {invitations.map((invitation) => (
            <tr key={invitation.id}>
              <td>
                <div className="cell-primary">{invitation.email}</div>
                {invitation.status === 'expired' && <span className="badge badge-warn">Expired</span>}
              </td>
              <td>
                <span className={`badge badge-role-${invitation.role}`}>{roleLabels[invitation.role]}</span>
              </td>
              <td className="hide-sm">{formatDate(invitation.expiresAt)}</td>
              <td className="cell-actions">
                {can('members.invite') && (
                  <button
                    type="button"
                    className="btn btn-small btn-ghost-danger"
                    disabled={revoke.isPending}
                    onClick={() => revoke.mutate(invitation)}
                  >
                    Revoke<span className="sr-only"> invitation to {invitation.email}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
