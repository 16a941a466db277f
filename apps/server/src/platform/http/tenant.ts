import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { FastifyRequest } from 'fastify';
import { type Permission, roleHas } from '../../modules/workspaces/permissions.js';
import { actorOf, requireAuthenticated, type WorkspaceAccess } from './auth.js';
import { AppError, notFound } from './errors.js';

/**
 * The workspace of a request and what the caller may do there. The workspace comes from the URL
 * (`/api/v1/workspaces/:workspaceId/...`) or, on routes without it, from the API key. A caller who is
 * not a member gets 404, never 403, so workspace ids cannot be probed; a member without the
 * permission gets 403.
 *
 * Use as a route option: `app.post(url, { ...requirePermission('members.invite'), schema }, handler)`,
 * then `workspaceAccess(request)` in the handler.
 */
export function requirePermission(permission: Permission) {
  return { config: { permission }, onRequest: authorizeWorkspace };
}

async function authorizeWorkspace(request: FastifyRequest): Promise<void> {
  const permission = request.routeOptions.config.permission;
  if (!permission)
    throw new Error(`route ${request.routeOptions.url} uses authorizeWorkspace without a permission`);
  const principal = await requireAuthenticated(request);
  const fromUrl = (request.params as Record<string, string | undefined> | undefined)?.workspaceId;

  let access: Omit<WorkspaceAccess, 'actor' | 'can'>;
  if (principal.kind === 'api_key') {
    if (fromUrl !== undefined && fromUrl !== principal.workspaceId) throw notFound('Workspace');
    access = { workspaceId: principal.workspaceId, role: principal.role, principal, memberId: undefined };
  } else {
    if (fromUrl === undefined) {
      throw new AppError('bad_request', 'This route needs an API key, or a workspace id in the path');
    }
    const membership = await request.server.accessResolver.membership(fromUrl, principal.userId);
    if (!membership) throw notFound('Workspace');
    access = { workspaceId: fromUrl, role: membership.role, principal, memberId: membership.memberId };
  }
  if (!roleHas(access.role, permission)) {
    throw new AppError('forbidden', `Your role in this workspace does not allow ${permission}`);
  }
  const role = access.role;
  request.workspaceAccess = {
    ...access,
    actor: actorOf(request),
    can: (p: Permission) => roleHas(role, p),
  };
}

/** The access established by requirePermission() for this request. */
export function workspaceAccess(request: FastifyRequest): WorkspaceAccess {
  const access = request.workspaceAccess;
  if (!access)
    throw new Error(`route ${request.routeOptions.url} reads workspaceAccess without requirePermission()`);
  return access;
}

/**
 * The `where` fragment that limits a query to what the caller may see: always the workspace, and for
 * callers who hold only the "assigned" permission (Agents), only rows assigned to them. The rule lives
 * in the query, so a forgotten filter after the fact cannot leak rows.
 *
 *   // conversations.repository.ts
 *   db.select().from(conversations).where(and(
 *     visibleTo(access, {
 *       workspaceId: conversations.workspaceId,
 *       readAll: 'conversations.read.all',
 *       readAssigned: 'conversations.read.assigned',
 *       assignedTo: (userId) => eq(conversations.assigneeUserId, userId),
 *     }),
 *     eq(conversations.status, 'open'),
 *   ));
 *
 * For contacts, `assignedTo` is an `exists (select 1 from conversations where contact_id = contacts.id
 * and assignee_user_id = $userId)` subquery. API keys have no user, so a key with only the "assigned"
 * permission sees nothing.
 */
export function visibleTo(
  access: Pick<WorkspaceAccess, 'workspaceId' | 'principal' | 'can'>,
  rule: {
    workspaceId: AnyPgColumn;
    readAll: Permission;
    readAssigned: Permission;
    assignedTo: (userId: string) => SQL;
  },
): SQL {
  const tenant = eq(rule.workspaceId, access.workspaceId);
  if (access.can(rule.readAll)) return tenant;
  if (access.can(rule.readAssigned) && access.principal.kind === 'user') {
    return and(tenant, rule.assignedTo(access.principal.userId)) as SQL;
  }
  return and(tenant, sql`false`) as SQL;
}
