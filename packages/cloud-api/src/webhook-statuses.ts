import { z } from 'zod';
import { idString, lenientUnixSeconds, openEnum, unixSecondsString } from './schema-helpers.js';
import { webhookErrorSchema } from './webhook-messages.js';

/** Delivery statuses of outbound messages (`value.statuses[]` of a `messages` webhook). */

export const MESSAGE_STATUSES = ['sent', 'delivered', 'read', 'failed', 'played'] as const;

export const conversationSchema = z.looseObject({
  id: z.string(),
  // Meta's pages show both a number and a string here.
  expiration_timestamp: lenientUnixSeconds.optional(),
  origin: z.looseObject({ type: z.string() }).optional(),
});

/**
 * What Meta counted for the message. `PMP` (per-message pricing, since July 2025) carries `type`
 * (regular | free_customer_service | free_entry_point); `CBP` (conversation-based) carries `billable`.
 */
export const pricingSchema = z.looseObject({
  billable: z.boolean().optional(),
  pricing_model: openEnum(['PMP', 'CBP'] as const),
  type: openEnum(['regular', 'free_customer_service', 'free_entry_point'] as const).optional(),
  category: openEnum([
    'marketing',
    'utility',
    'authentication',
    'authentication_international',
    'service',
    'marketing_lite',
    'referral_conversion',
  ] as const),
});
export type Pricing = z.infer<typeof pricingSchema>;

export const messageStatusSchema = z.looseObject({
  id: idString,
  status: openEnum(MESSAGE_STATUSES),
  timestamp: unixSecondsString,
  // Absent when the recipient hides their number behind a username; `recipient_user_id` then says who.
  recipient_id: z.string().optional(),
  recipient_user_id: z.string().optional(),
  recipient_type: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  conversation: conversationSchema.optional(),
  pricing: pricingSchema.optional(),
  errors: z.array(webhookErrorSchema).optional(),
});
export type MessageStatus = z.infer<typeof messageStatusSchema>;

/**
 * Rank of a status for "only move forward" updates: statuses arrive out of order, so an update applies
 * only when its rank is higher. `failed` is terminal; unknown statuses rank 0 and never overwrite.
 */
export function messageStatusRank(status: string): number {
  switch (status) {
    case 'sent':
      return 1;
    case 'delivered':
      return 2;
    case 'read':
      return 3;
    case 'played':
      return 4;
    case 'failed':
      return 5;
    default:
      return 0;
  }
}
