import { z } from 'zod';
import type { HttpApp, Platform } from '../../platform/context.js';
import { actorOf, currentUser, requireUser } from '../../platform/http/auth.js';
import { AppError, notFound, standardErrors } from '../../platform/http/errors.js';
import { operatorActor, operatorGuard } from '../../platform/http/operator.js';
import { requirePermission, workspaceAccess } from '../../platform/http/tenant.js';
import type { Mailer } from '../identity/mailer.js';
import { acceptInvitation, inviteMember, listInvitations, revokeInvitation } from './invitations.service.js';
import { permissionCatalogue, roles } from './permissions.js';
import * as schemas from './workspaces.schemas.js';
import {
  callerPermissions,
  changeMemberRole,
  changePlan,
  createWorkspace,
  getWorkspace,
  listMembers,
  type MemberChangeFailure,
  myWorkspaces,
  removeMember,
  renameWorkspace,
} from './workspaces.service.js';

const tags = ['workspaces'];
const base = '/api/v1/workspaces/:workspaceId';

function memberFailure(reason: MemberChangeFailure): AppError {
  switch (reason) {
    case 'not_found':
      return notFound('Member');
    case 'outranked':
      return new AppError('forbidden', 'You cannot manage a member or grant a role above your own');
    case 'last_owner':
      return new AppError('last_owner', 'A workspace keeps at least one Owner');
    default:
      throw new Error(`unhandled ${reason satisfies never}`);
  }
}

export function registerWorkspaceRoutes(app: HttpApp, platform: Platform, deps: { mailer: Mailer }): void {
  const db = platform.db;
  const mailDeps = {
    mailer: deps.mailer,
    publicUrl: platform.config.http.publicUrl,
    logger: platform.logger,
  };

  app.get(
    '/api/v1/permissions',
    {
      schema: {
        tags,
        summary: 'The roles and the permission catalogue',
        response: { 200: schemas.permissionsReply },
      },
    },
    async () => ({
      roles: [...roles],
      permissions: permissionCatalogue.map((p) => ({ ...p, roles: [...p.roles] })),
    }),
  );

  app.get(
    '/api/v1/workspaces',
    {
      ...requireUser(),
      schema: {
        tags,
        summary: 'Workspaces I belong to',
        response: { 200: schemas.myWorkspacesReply, ...standardErrors },
      },
    },
    async (request) => ({ items: await myWorkspaces(db, currentUser(request).userId) }),
  );

  app.post(
    '/api/v1/workspaces',
    {
      ...requireUser(),
      schema: {
        tags,
        summary: 'Create a workspace; I become its Owner',
        body: schemas.createWorkspaceBody,
        response: { 201: schemas.workspaceSchema, ...standardErrors },
      },
    },
    async (request, reply) => {
      const created = await createWorkspace(db, actorOf(request), {
        name: request.body.name,
        ownerUserId: currentUser(request).userId,
      });
      return reply.status(201).send(created);
    },
  );

  app.get(
    base,
    {
      ...requirePermission('workspace.view'),
      schema: {
        tags,
        summary: 'The workspace, its plan and limits, and my role there',
        params: schemas.workspaceParams,
        response: { 200: schemas.workspaceWithAccess, ...standardErrors },
      },
    },
    async (request) => {
      const access = workspaceAccess(request);
      const workspace = await getWorkspace(db, access.workspaceId);
      if (!workspace) throw notFound('Workspace');
      return { ...workspace, ...callerPermissions(access) };
    },
  );

  app.patch(
    base,
    {
      ...requirePermission('workspace.update'),
      schema: {
        tags,
        summary: 'Rename the workspace',
        params: schemas.workspaceParams,
        body: schemas.updateWorkspaceBody,
        response: { 200: schemas.workspaceSchema, ...standardErrors },
      },
    },
    async (request) => renameWorkspace(db, workspaceAccess(request), request.body.name),
  );

  // Plans and limit overrides decide what a workspace may use and how long its audit trail lives: the
  // installation's operator sets them, not the workspace's Owner.
  const operator = operatorGuard(platform.config);
  app.put(
    '/api/v1/operator/workspaces/:workspaceId/plan',
    {
      ...operator,
      schema: {
        tags: ['operator'],
        summary: 'Change a workspace plan (enterprise limits are configurable)',
        security: [{ operator: [] }],
        params: schemas.workspaceParams,
        body: schemas.changePlanBody,
        response: { 200: schemas.workspaceSchema, ...standardErrors },
      },
    },
    async (request) => {
      if (request.body.limits && request.body.plan !== 'enterprise') {
        throw new AppError('validation_failed', 'The request is not valid', [
          { path: 'body.limits', message: 'only the enterprise plan takes custom limits' },
        ]);
      }
      const actor = operatorActor(request);
      const changed = await changePlan(db, actor, request.params.workspaceId, request.body);
      if (!changed) throw notFound('Workspace');
      return changed;
    },
  );

  app.get(
    `${base}/members`,
    {
      ...requirePermission('members.view'),
      schema: {
        tags,
        summary: 'Members and their roles',
        params: schemas.workspaceParams,
        response: { 200: z.object({ items: z.array(schemas.memberSchema) }), ...standardErrors },
      },
    },
    async (request) => ({ items: await listMembers(db, workspaceAccess(request).workspaceId) }),
  );

  app.patch(
    `${base}/members/:memberId`,
    {
      ...requirePermission('members.update_role'),
      schema: {
        tags,
        summary: "Change a member's role",
        params: schemas.memberParams,
        body: schemas.changeRoleBody,
        response: { 200: schemas.memberSchema, ...standardErrors },
      },
    },
    async (request) => {
      const result = await changeMemberRole(
        db,
        workspaceAccess(request),
        request.params.memberId,
        request.body.role,
      );
      if (!result.ok) throw memberFailure(result.reason);
      return result.value;
    },
  );

  app.delete(
    `${base}/members/:memberId`,
    {
      ...requirePermission('members.remove'),
      schema: {
        tags,
        summary: 'Remove a member',
        params: schemas.memberParams,
        response: { 204: z.null().describe('Removed'), ...standardErrors },
      },
    },
    async (request, reply) => {
      const result = await removeMember(db, workspaceAccess(request), request.params.memberId);
      if (!result.ok) throw memberFailure(result.reason);
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${base}/invitations`,
    {
      ...requirePermission('members.view'),
      schema: {
        tags,
        summary: 'Open invitations',
        params: schemas.workspaceParams,
        response: { 200: z.object({ items: z.array(schemas.invitationSchema) }), ...standardErrors },
      },
    },
    async (request) => ({ items: await listInvitations(db, workspaceAccess(request).workspaceId) }),
  );

  app.post(
    `${base}/invitations`,
    {
      ...requirePermission('members.invite'),
      schema: {
        tags,
        summary: 'Invite someone by email (the link is emailed, valid 7 days)',
        params: schemas.workspaceParams,
        body: schemas.inviteBody,
        response: { 201: schemas.invitationSchema, ...standardErrors },
      },
    },
    async (request, reply) => {
      const result = await inviteMember(db, mailDeps, workspaceAccess(request), request.body);
      if (!result.ok) {
        switch (result.reason) {
          case 'outranked':
            throw new AppError('forbidden', 'You cannot invite with a role above your own');
          case 'already_member':
            throw new AppError('already_exists', 'This person is already a member');
          case 'already_invited':
            throw new AppError('already_exists', 'This email already has an open invitation');
          case 'seat_limit':
            throw new AppError('plan_limit_reached', "The workspace's plan has no free seat");
          default:
            throw new Error(`unhandled ${result.reason satisfies never}`);
        }
      }
      return reply.status(201).send(result.value);
    },
  );

  app.delete(
    `${base}/invitations/:invitationId`,
    {
      ...requirePermission('members.invite'),
      schema: {
        tags,
        summary: 'Revoke an open invitation',
        params: schemas.invitationParams,
        response: { 204: z.null().describe('Revoked'), ...standardErrors },
      },
    },
    async (request, reply) => {
      if (!(await revokeInvitation(db, workspaceAccess(request), request.params.invitationId)))
        throw notFound('Invitation');
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/invitations/accept',
    {
      ...requireUser(),
      schema: {
        tags,
        summary: 'Accept an invitation addressed to my email',
        body: schemas.acceptInvitationBody,
        response: { 200: schemas.acceptedReply, ...standardErrors },
      },
    },
    async (request) => {
      const result = await acceptInvitation(db, actorOf(request), currentUser(request), request.body.token);
      if (!result.ok) {
        switch (result.reason) {
          case 'invalid_token':
            throw new AppError('invalid_token', 'The invitation is not valid any more');
          case 'email_mismatch':
            throw new AppError('forbidden', 'This invitation is for another email address');
          default:
            throw new Error(`unhandled ${result.reason satisfies never}`);
        }
      }
      return result.value;
    },
  );
}
