/**
 * The roles and the permission catalogue, declared once as data. Route guards (`requirePermission`),
 * the visibility building block, the test helper's allow/deny matrix and docs/permissions.md all read
 * this table, so adding a permission here is the whole change.
 */
export const roles = ['owner', 'manager', 'agent', 'viewer'] as const;
export type Role = (typeof roles)[number];

/** Higher rank may act on lower or equal rank (grant roles, manage members and keys). */
export const roleRank: Record<Role, number> = { owner: 4, manager: 3, agent: 2, viewer: 1 };

export const roleLabels: Record<Role, string> = {
  owner: 'Owner',
  manager: 'Manager',
  agent: 'Agent',
  viewer: 'Viewer',
};

interface PermissionDefinition {
  key: string;
  group: string;
  description: string;
  roles: readonly Role[];
}

const ALL: readonly Role[] = roles;
const STAFF: readonly Role[] = ['owner', 'manager', 'agent'];
const LEADS: readonly Role[] = ['owner', 'manager'];
const SUPERVISORS: readonly Role[] = ['owner', 'manager', 'viewer'];
const OWNER: readonly Role[] = ['owner'];

export const permissionCatalogue = [
  {
    key: 'workspace.view',
    group: 'Workspace',
    description: 'See the workspace, its plan and limits',
    roles: ALL,
  },
  {
    key: 'workspace.update',
    group: 'Workspace',
    description: 'Rename the workspace, change its settings',
    roles: LEADS,
  },
  {
    key: 'workspace.delete',
    group: 'Workspace',
    description: 'Delete the workspace and all its data',
    roles: OWNER,
  },
  { key: 'members.view', group: 'Members', description: 'List members and pending invitations', roles: ALL },
  {
    key: 'members.invite',
    group: 'Members',
    description: 'Invite people by email, revoke invitations',
    roles: LEADS,
  },
  {
    key: 'members.update_role',
    group: 'Members',
    description: "Change a member's role (never above one's own)",
    roles: LEADS,
  },
  {
    key: 'members.remove',
    group: 'Members',
    description: 'Remove a member from the workspace',
    roles: LEADS,
  },
  {
    key: 'api_keys.view',
    group: 'Developer',
    description: 'List API keys (never their secret)',
    roles: LEADS,
  },
  { key: 'api_keys.manage', group: 'Developer', description: 'Create and revoke API keys', roles: LEADS },
  {
    key: 'webhooks.view',
    group: 'Developer',
    description: 'See outbound webhook endpoints and deliveries',
    roles: LEADS,
  },
  {
    key: 'webhooks.manage',
    group: 'Developer',
    description: 'Create, change and delete outbound webhooks',
    roles: LEADS,
  },
  { key: 'audit.view', group: 'Audit', description: 'Read the audit trail', roles: LEADS },
  { key: 'audit.export', group: 'Audit', description: 'Export the audit trail as CSV', roles: OWNER },
  { key: 'billing.view', group: 'Billing', description: 'See the plan, usage and invoices', roles: LEADS },
  { key: 'billing.manage', group: 'Billing', description: 'Change the plan and its limits', roles: OWNER },
  {
    key: 'channels.view',
    group: 'Channels',
    description: 'See connected WhatsApp numbers and their health',
    roles: ALL,
  },
  {
    key: 'channels.manage',
    group: 'Channels',
    description: 'Connect, configure and disconnect numbers',
    roles: LEADS,
  },
  {
    key: 'conversations.read.all',
    group: 'Inbox',
    description: 'Read every conversation of the workspace',
    roles: SUPERVISORS,
  },
  {
    key: 'conversations.read.assigned',
    group: 'Inbox',
    description: 'Read conversations assigned to oneself',
    roles: ALL,
  },
  {
    key: 'conversations.assign',
    group: 'Inbox',
    description: 'Assign conversations to members',
    roles: LEADS,
  },
  {
    key: 'conversations.update',
    group: 'Inbox',
    description: 'Close, reopen, label and snooze conversations',
    roles: STAFF,
  },
  {
    key: 'conversations.notes',
    group: 'Inbox',
    description: 'Write internal notes on conversations',
    roles: STAFF,
  },
  {
    key: 'messages.send',
    group: 'Inbox',
    description: 'Send session messages inside the 24-hour window',
    roles: STAFF,
  },
  {
    key: 'messages.send_template',
    group: 'Inbox',
    description: 'Send approved template messages',
    roles: STAFF,
  },
  {
    key: 'contacts.read.all',
    group: 'Contacts',
    description: 'Read every contact of the workspace',
    roles: SUPERVISORS,
  },
  {
    key: 'contacts.read.assigned',
    group: 'Contacts',
    description: 'Read contacts of conversations assigned to oneself',
    roles: ALL,
  },
  { key: 'contacts.create', group: 'Contacts', description: 'Create contacts', roles: STAFF },
  {
    key: 'contacts.update',
    group: 'Contacts',
    description: 'Edit contacts, tags and attributes',
    roles: STAFF,
  },
  { key: 'contacts.delete', group: 'Contacts', description: 'Delete contacts', roles: LEADS },
  { key: 'contacts.import', group: 'Contacts', description: 'Import contacts from files', roles: LEADS },
  { key: 'contacts.export', group: 'Contacts', description: 'Export contacts to files', roles: LEADS },
  {
    key: 'templates.view',
    group: 'Templates',
    description: 'See message templates and their status',
    roles: ALL,
  },
  {
    key: 'templates.manage',
    group: 'Templates',
    description: 'Create, submit and delete templates',
    roles: LEADS,
  },
  {
    key: 'campaigns.view',
    group: 'Campaigns',
    description: 'See campaigns and their results',
    roles: SUPERVISORS,
  },
  { key: 'campaigns.manage', group: 'Campaigns', description: 'Create and edit campaigns', roles: LEADS },
  {
    key: 'campaigns.send',
    group: 'Campaigns',
    description: 'Launch, pause and cancel campaigns',
    roles: LEADS,
  },
  {
    key: 'automations.view',
    group: 'Automations',
    description: 'See automations and keyword replies',
    roles: SUPERVISORS,
  },
  {
    key: 'automations.manage',
    group: 'Automations',
    description: 'Create, change and delete automations',
    roles: LEADS,
  },
  {
    key: 'analytics.view',
    group: 'Analytics',
    description: 'See reports and dashboards',
    roles: SUPERVISORS,
  },
] as const satisfies readonly PermissionDefinition[];

export type Permission = (typeof permissionCatalogue)[number]['key'];

export const permissions: readonly Permission[] = permissionCatalogue.map((p) => p.key);

const grants = new Map<Role, ReadonlySet<Permission>>(
  roles.map((role) => [
    role,
    new Set(
      permissionCatalogue
        .filter((p) => (p.roles as readonly Role[]).includes(role))
        .map((p) => p.key as Permission),
    ),
  ]),
);

export function roleHas(role: Role, permission: Permission): boolean {
  return grants.get(role)?.has(permission) ?? false;
}

export function permissionsOf(role: Role): Permission[] {
  return [...(grants.get(role) ?? [])];
}

export function isPermission(value: string): value is Permission {
  return (permissions as readonly string[]).includes(value);
}

/** A caller may grant, change or remove only roles at or below their own rank. */
export function mayActOnRole(actorRole: Role, targetRole: Role): boolean {
  return roleRank[actorRole] >= roleRank[targetRole];
}
