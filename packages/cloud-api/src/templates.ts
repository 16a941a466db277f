import { z } from 'zod';
import { idString, openEnum } from './schema-helpers.js';

/** Message templates: `/{waba-id}/message_templates`. */

export const TEMPLATE_STATUSES = [
  'APPROVED',
  'PENDING',
  'REJECTED',
  'PAUSED',
  'DISABLED',
  'IN_APPEAL',
  'PENDING_DELETION',
  'DELETED',
  'ARCHIVED',
  'LIMIT_EXCEEDED',
] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];

export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;

export const templateButtonSchema = z.looseObject({
  type: openEnum([
    'QUICK_REPLY',
    'URL',
    'PHONE_NUMBER',
    'COPY_CODE',
    'OTP',
    'FLOW',
    'CATALOG',
    'MPM',
  ] as const),
  text: z.string().max(25).optional(),
  url: z.string().optional(),
  phone_number: z.string().optional(),
  example: z.union([z.array(z.string()), z.string()]).optional(),
});

/** A component as defined in a template (upper-case types), not as filled in when sending. */
export const templateComponentSchema = z.looseObject({
  type: openEnum(['HEADER', 'BODY', 'FOOTER', 'BUTTONS'] as const),
  format: openEnum(['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'] as const).optional(),
  text: z.string().optional(),
  example: z.looseObject({}).optional(),
  buttons: z.array(templateButtonSchema).max(10).optional(),
});
export type TemplateComponent = z.infer<typeof templateComponentSchema>;

/** The body of `POST /{waba-id}/message_templates`. */
export const createTemplateRequestSchema = z.looseObject({
  name: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[a-z0-9_]+$/, 'template names hold lowercase letters, digits and underscores only'),
  language: z.string().min(1),
  category: openEnum(TEMPLATE_CATEGORIES),
  parameter_format: z.enum(['positional', 'named']).optional(),
  allow_category_change: z.boolean().optional(),
  components: z.array(templateComponentSchema).min(1),
});
export type CreateTemplateRequest = z.infer<typeof createTemplateRequestSchema>;

export const createTemplateResponseSchema = z.looseObject({
  id: idString,
  status: openEnum(TEMPLATE_STATUSES),
  category: z.string().optional(),
});
export type CreateTemplateResponse = z.infer<typeof createTemplateResponseSchema>;

export const messageTemplateSchema = z.looseObject({
  id: idString,
  name: z.string(),
  language: z.string(),
  status: openEnum(TEMPLATE_STATUSES),
  category: z.string().optional(),
  parameter_format: z.string().optional(),
  components: z.array(templateComponentSchema).optional(),
  quality_score: z.looseObject({ score: z.string().optional(), date: z.number().optional() }).optional(),
  rejected_reason: z.string().optional(),
  previous_category: z.string().optional(),
});
export type MessageTemplate = z.infer<typeof messageTemplateSchema>;

/** Graph's cursor paging. `next` is absent on the last page even when cursors are present. */
export const pagingSchema = z.looseObject({
  cursors: z.looseObject({ before: z.string().optional(), after: z.string().optional() }).optional(),
  next: z.string().optional(),
  previous: z.string().optional(),
});
export type Paging = z.infer<typeof pagingSchema>;

export const listTemplatesResponseSchema = z.looseObject({
  data: z.array(messageTemplateSchema),
  paging: pagingSchema.optional(),
});
export type ListTemplatesResponse = z.infer<typeof listTemplatesResponseSchema>;
