import { z } from 'zod';
import { roles } from '../workspaces/permissions.js';

/** Addresses are compared lower-cased and trimmed everywhere (users, invitations, throttling keys). */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be an email address' }));
export const passwordSchema = z
  .string()
  .min(10, { message: 'must be at least 10 characters' })
  .max(200, { message: 'must be at most 200 characters' });
const nameSchema = z.string().trim().min(1).max(100);

export const userSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string() })
  .meta({ id: 'User' });

export const signUpBody = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: nameSchema,
  workspaceName: nameSchema.optional(),
  /** Sign up straight into an invited workspace instead of creating one. */
  invitationToken: z.string().min(10).max(200).optional(),
});

export const logInBody = z.object({ email: emailSchema, password: z.string().min(1).max(200) });

export const sessionReply = z.object({
  user: userSchema,
  /** Send back as X-CSRF-Token on cookie-authenticated writes. */
  csrfToken: z.string(),
  workspaceId: z.string().optional(),
});

export const meReply = z.object({
  user: userSchema,
  csrfToken: z.string(),
  workspaces: z.array(z.object({ id: z.string(), name: z.string(), plan: z.string(), role: z.enum(roles) })),
});

export const securityLogQuery = z.object({
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const changePasswordBody = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: passwordSchema,
});
export const resetRequestBody = z.object({ email: emailSchema });
export const resetConfirmBody = z.object({ token: z.string().min(10).max(200), newPassword: passwordSchema });

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(roles),
    prefix: z.string(),
    createdAt: z.date(),
    lastUsedAt: z.date().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const createApiKeyBody = z.object({ name: nameSchema, role: z.enum(roles) });
export const createdApiKeyReply = z.object({
  apiKey: apiKeySchema,
  /** The full key. Shown this once; only its hash is kept. */
  key: z.string(),
});

export const workspaceParams = z.object({ workspaceId: z.string().min(1).max(64) });
export const apiKeyParams = workspaceParams.extend({ apiKeyId: z.string().min(1).max(64) });
