import { z } from 'zod';

export const workspaceParams = z.object({ workspaceId: z.string().min(1).max(64) });

const id = z.string().min(1).max(64);

export const auditFiltersQuery = z.object({
  actorId: id.optional(),
  /** Exact action, or a prefix ending in `*`, e.g. `member.*`. */
  action: z
    .string()
    .min(1)
    .max(80)
    .regex(/^[a-z_.]+\*?$/, { message: 'letters, _ and . (and a final *)' })
    .optional(),
  resourceType: z.string().min(1).max(40).optional(),
  resourceId: id.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export const auditListQuery = auditFiltersQuery.extend({
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const auditEntrySchema = z
  .object({
    id: z.string(),
    occurredAt: z.date(),
    actorType: z.enum(['user', 'api_key', 'system', 'anonymous']),
    actorId: z.string().nullable(),
    actorLabel: z.string().nullable(),
    action: z.string(),
    resourceType: z.string(),
    resourceId: z.string().nullable(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });

export const auditListReply = z.object({
  items: z.array(auditEntrySchema),
  nextCursor: z.string().nullable(),
});
