import { z } from 'zod';
import { idString, openEnum } from './schema-helpers.js';
import { pagingSchema } from './templates.js';

/** Business phone numbers: `GET /{phone-number-id}` and `GET /{waba-id}/phone_numbers`. */

export const MESSAGING_LIMIT_TIERS = [
  'TIER_250',
  'TIER_2K',
  'TIER_10K',
  'TIER_100K',
  'TIER_UNLIMITED',
] as const;

/** Fields the client asks for by default; Graph returns only the fields requested (and `id`). */
export const DEFAULT_PHONE_NUMBER_FIELDS = [
  'id',
  'display_phone_number',
  'verified_name',
  'quality_rating',
  'code_verification_status',
  'name_status',
  'platform_type',
  'status',
  'throughput',
  'messaging_limit_tier',
  'whatsapp_business_manager_messaging_limit',
] as const;

export const phoneNumberSchema = z.looseObject({
  id: idString,
  display_phone_number: z.string().optional(),
  verified_name: z.string().optional(),
  quality_rating: openEnum(['GREEN', 'YELLOW', 'RED', 'UNKNOWN', 'NA'] as const).optional(),
  code_verification_status: z.string().optional(),
  name_status: z.string().optional(),
  platform_type: z.string().optional(),
  status: z.string().optional(),
  throughput: z.looseObject({ level: z.string().optional() }).optional(),
  messaging_limit_tier: z.string().optional(),
  whatsapp_business_manager_messaging_limit: openEnum(MESSAGING_LIMIT_TIERS).optional(),
  is_official_business_account: z.boolean().optional(),
});
export type PhoneNumber = z.infer<typeof phoneNumberSchema>;

export const listPhoneNumbersResponseSchema = z.looseObject({
  data: z.array(phoneNumberSchema),
  paging: pagingSchema.optional(),
});
export type ListPhoneNumbersResponse = z.infer<typeof listPhoneNumbersResponseSchema>;

/** The body of `POST /{phone-number-id}/register`. */
export const registerPhoneRequestSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  pin: z.string().regex(/^\d{6}$/, 'pin must be 6 digits'),
});
