import { mayActOnRole, type Role, roleLabels } from '../api/types';

const ROLES: Role[] = ['owner', 'manager', 'agent', 'viewer'];

const descriptions: Record<Role, string> = {
  owner: 'everything, including plan and deleting the workspace',
  manager: 'team, templates, campaigns and settings',
  agent: 'chats with customers in the inbox',
  viewer: 'reads, never sends',
};

/** The roles the current user may grant (never above their own). */
export function grantableRoles(myRole: Role): Role[] {
  return ROLES.filter((role) => mayActOnRole(myRole, role));
}

export function RoleOptions({
  myRole,
  withDescriptions = false,
}: {
  myRole: Role;
  withDescriptions?: boolean;
}) {
  return (
    <>
      {grantableRoles(myRole).map((role) => (
        <option key={role} value={role}>
          {withDescriptions ? `${roleLabels[role]} — ${descriptions[role]}` : roleLabels[role]}
        </option>
      ))}
    </>
  );
}
