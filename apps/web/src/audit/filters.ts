import type { AuditQuery } from '../api/types';

/** The filter fields kept in the page's URL, so a filtered view can be shared or reloaded. */
export const FILTER_KEYS = ['action', 'resourceType', 'actorId', 'from', 'to'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

export function filtersFrom(params: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

/** Dates in the URL are days (yyyy-mm-dd, local); the API wants instants. `to` covers its whole day. */
export function toQuery(filters: Filters): AuditQuery {
  const query: AuditQuery = {};
  if (filters.action) query.action = filters.action;
  if (filters.resourceType) query.resourceType = filters.resourceType;
  if (filters.actorId) query.actorId = filters.actorId;
  if (filters.from) query.from = dayStart(filters.from).toISOString();
  if (filters.to) {
    const end = dayStart(filters.to);
    end.setDate(end.getDate() + 1);
    query.to = end.toISOString();
  }
  return query;
}

function dayStart(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}

export function exportHref(workspaceId: string, filters: Filters): string {
  const query = new URLSearchParams(Object.entries(toQuery(filters)).map(([k, v]) => [k, String(v)]));
  const suffix = query.size > 0 ? `?${query}` : '';
  return `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/audit-log/export${suffix}`;
}

export const actionLabels: Record<string, string> = {
  'api_key.created': 'Created an API key',
  'api_key.revoked': 'Revoked an API key',
  'audit.exported': 'Exported the audit log',
  'contact.created': 'Added a contact',
  'contact.deleted': 'Deleted a contact',
  'contact.opt_in': 'Contact opted in',
  'contact.opt_out': 'Contact opted out',
  'contact.restored': 'Re-added a deleted contact',
  'contact.updated': 'Edited a contact',
  'contacts.exported': 'Exported contacts',
  'auth.login': 'Signed in',
  'auth.login_failed': 'Failed sign-in',
  'auth.password_reset_requested': 'Asked for a password reset',
  'invitation.accepted': 'Accepted an invitation',
  'invitation.created': 'Invited someone',
  'invitation.revoked': 'Revoked an invitation',
  'member.added': 'Member added',
  'member.removed': 'Member removed',
  'member.role_changed': 'Changed a role',
  'opt_out_settings.updated': 'Changed opt-out settings',
  'user.password_changed': 'Changed password',
  'user.password_reset': 'Reset password',
  'user.seeded': 'Demo user created',
  'user.signed_up': 'Signed up',
  'workspace.created': 'Created the workspace',
  'workspace.plan_changed': 'Changed the plan',
  'workspace.updated': 'Updated the workspace',
};

/** A readable label when we know the action; the raw action name otherwise. */
export function describeAction(action: string): string {
  return actionLabels[action] ?? action;
}
