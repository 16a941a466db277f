import type { components, paths } from './schema';

type Schemas = components['schemas'];
type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type User = Schemas['User'];
export type Member = Schemas['Member'];
export type Invitation = Schemas['Invitation'];
export type ApiKey = Schemas['ApiKey'];
export type AuditEntry = Schemas['AuditEntry'];
export type Me = Json<paths['/api/v1/auth/me']['get']['responses'][200]>;
export type WorkspaceSummary = Me['workspaces'][number];
export type WorkspaceDetail = Json<paths['/api/v1/workspaces/{workspaceId}']['get']['responses'][200]>;
export type Role = Member['role'];
export type Permissions = Json<paths['/api/v1/permissions']['get']['responses'][200]>;
export type AuditQuery = NonNullable<
  paths['/api/v1/workspaces/{workspaceId}/audit-log']['get']['parameters']['query']
>;

export const roleLabels: Record<Role, string> = {
  owner: 'Owner',
  manager: 'Manager',
  agent: 'Agent',
  viewer: 'Viewer',
};

const roleRank: Record<Role, number> = { owner: 4, manager: 3, agent: 2, viewer: 1 };

/** Mirrors the server's rule: one may grant or manage only roles at or below one's own. */
export function mayActOnRole(actor: Role, target: Role): boolean {
  return roleRank[actor] >= roleRank[target];
}
