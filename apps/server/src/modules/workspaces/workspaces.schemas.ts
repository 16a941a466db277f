import { z } from 'zod';
import { emailSchema } from '../identity/identity.schemas.js';
import { permissions, roles } from './permissions.js';
import { limitOverridesSchema, planLimitsSchema, planNames } from './plans.js';

export const workspaceParams = z.object({ workspaceId: z.string().min(1).max(64) });
export const memberParams = workspaceParams.extend({ memberId: z.string().min(1).max(64) });
export const invitationParams = workspaceParams.extend({ invitationId: z.string().min(1).max(64) });

const nameSchema = z.string().trim().min(1).max(100);

export const workspaceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    plan: z.enum(planNames),
    limits: planLimitsSchema,
    createdAt: z.date(),
  })
  .meta({ id: 'Workspace' });

export const workspaceWithAccess = workspaceSchema.extend({
  role: z.enum(roles),
  permissions: z.array(z.string()),
});

export const myWorkspacesReply = z.object({
  items: z.array(
    z.object({ id: z.string(), name: z.string(), plan: z.enum(planNames), role: z.enum(roles) }),
  ),
});

export const createWorkspaceBody = z.object({ name: nameSchema });
export const updateWorkspaceBody = z.object({ name: nameSchema });
export const changePlanBody = z.object({
  plan: z.enum(planNames),
  /** Only for enterprise: limits that differ from the plan's defaults. */
  limits: limitOverridesSchema.optional(),
});

export const memberSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(roles),
    createdAt: z.date(),
  })
  .meta({ id: 'Member' });

export const changeRoleBody = z.object({ role: z.enum(roles) });

export const invitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.enum(roles),
    status: z.enum(['pending', 'expired']),
    expiresAt: z.date(),
    createdAt: z.date(),
  })
  .meta({ id: 'Invitation' });

export const inviteBody = z.object({ email: emailSchema, role: z.enum(roles) });
export const acceptInvitationBody = z.object({ token: z.string().min(10).max(200) });
export const acceptedReply = z.object({ workspaceId: z.string(), role: z.enum(roles) });

export const permissionsReply = z.object({
  roles: z.array(z.enum(roles)),
  permissions: z.array(
    z.object({
      key: z.enum(permissions as [string, ...string[]]),
      group: z.string(),
      description: z.string(),
      roles: z.array(z.enum(roles)),
    }),
  ),
});
