import { z } from 'zod';
import { idString, lenientUnixSeconds, numericOrStringId, openEnum } from './schema-helpers.js';
import { webhookContactSchema } from './webhook-messages.js';

/**
 * Values of the webhook fields other than `messages`. These arrive far less often and Meta extends them
 * freely, so beyond the identifying fields everything is optional.
 */

export const TEMPLATE_STATUS_EVENTS = [
  'APPROVED',
  'REJECTED',
  'PENDING',
  'PAUSED',
  'DISABLED',
  'IN_APPEAL',
  'PENDING_DELETION',
  'DELETED',
  'ARCHIVED',
  'REINSTATED',
  'FLAGGED',
  'LOCKED',
  'UNLOCKED',
] as const;

const templateRefShape = {
  // A JSON number in Meta's payloads; normalised to a string like every other id.
  message_template_id: numericOrStringId,
  message_template_name: z.string(),
  message_template_language: z.string(),
};

export const templateStatusUpdateSchema = z.looseObject({
  ...templateRefShape,
  event: openEnum(TEMPLATE_STATUS_EVENTS),
  reason: z.string().nullable().optional(),
  message_template_category: z.string().optional(),
  disable_info: z.looseObject({ disable_date: z.union([z.string(), z.number()]).optional() }).optional(),
  other_info: z.looseObject({ title: z.string().optional(), description: z.string().optional() }).optional(),
});
export type TemplateStatusUpdate = z.infer<typeof templateStatusUpdateSchema>;

export const templateQualityUpdateSchema = z.looseObject({
  ...templateRefShape,
  previous_quality_score: z.string().optional(),
  new_quality_score: openEnum(['GREEN', 'YELLOW', 'RED', 'UNKNOWN'] as const),
});
export type TemplateQualityUpdate = z.infer<typeof templateQualityUpdateSchema>;

export const templateCategoryUpdateSchema = z.looseObject({
  ...templateRefShape,
  previous_category: z.string().optional(),
  new_category: z.string().optional(),
  correct_category: z.string().optional(),
});
export type TemplateCategoryUpdate = z.infer<typeof templateCategoryUpdateSchema>;

export const phoneNumberQualityUpdateSchema = z.looseObject({
  display_phone_number: z.string(),
  event: openEnum([
    'FLAGGED',
    'UNFLAGGED',
    'UPGRADE',
    'DOWNGRADE',
    'THROUGHPUT_UPGRADE',
    'ONBOARDING',
  ] as const),
  current_limit: z.string().optional(),
  old_limit: z.string().optional(),
  max_daily_conversation_per_phone: z.number().optional(),
});
export type PhoneNumberQualityUpdate = z.infer<typeof phoneNumberQualityUpdateSchema>;

export const accountUpdateSchema = z.looseObject({
  event: z.string().min(1),
  phone_number: z.string().optional(),
  waba_info: z.looseObject({}).optional(),
  ban_info: z.looseObject({}).optional(),
  violation_info: z.looseObject({}).optional(),
  restriction_info: z.array(z.looseObject({})).optional(),
});
export type AccountUpdate = z.infer<typeof accountUpdateSchema>;

export const businessCapabilityUpdateSchema = z.looseObject({
  max_daily_conversation_per_phone: z.number().optional(),
  max_daily_conversations_per_business: z.union([z.number(), z.string()]).optional(),
  max_phone_numbers_per_business: z.number().optional(),
  max_phone_numbers_per_waba: z.number().optional(),
});
export type BusinessCapabilityUpdate = z.infer<typeof businessCapabilityUpdateSchema>;

export const userPreferenceSchema = z.looseObject({
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  detail: z.string().optional(),
  category: openEnum(['marketing_messages'] as const),
  value: openEnum(['stop', 'resume'] as const),
  timestamp: lenientUnixSeconds,
});
export type UserPreference = z.infer<typeof userPreferenceSchema>;

export const webhookMetadataSchema = z.looseObject({
  display_phone_number: z.string(),
  phone_number_id: idString,
});

export const userPreferencesValueSchema = z.looseObject({
  messaging_product: z.literal('whatsapp').optional(),
  metadata: webhookMetadataSchema,
  contacts: z.array(webhookContactSchema).optional(),
  user_preferences: z.array(userPreferenceSchema),
});
