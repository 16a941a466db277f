import { z } from 'zod';
import { channelStatuses } from './channels.tables.js';
import { onboardingSteps } from './onboarding.tables.js';

const metaId = z.string().regex(/^\d{1,30}$/, 'a Meta id (digits)');
const pin = z.string().regex(/^\d{6}$/, 'a 6-digit PIN');

export const workspaceParams = z.object({ workspaceId: z.string() });
export const channelParams = workspaceParams.extend({ channelId: z.string() });
export const onboardingParams = workspaceParams.extend({ onboardingId: z.string() });

export const listChannelsQuery = z.object({
  status: z.enum(channelStatuses).optional().describe('Default: every status but `disconnected`'),
});

export const embeddedSignupBody = z.object({
  code: z.string().min(1).max(2048).describe('The code FB.login returned (single-use, ~30 s)'),
  wabaId: metaId.describe('waba_id from the WA_EMBEDDED_SIGNUP FINISH event'),
  phoneNumberId: metaId.describe('phone_number_id from the FINISH event'),
  businessId: metaId.optional(),
  pin: pin.optional().describe('Two-step verification PIN; generated and sealed when absent'),
});

export const manualConnectBody = z.object({
  accessToken: z.string().min(20).max(4096).describe('A system-user token with whatsapp_business_* scopes'),
  wabaId: metaId,
  phoneNumberId: metaId,
  businessId: metaId.optional(),
  pin: pin.optional(),
});

export const retryBody = z
  .object({
    code: z.string().min(1).max(2048).optional().describe('Needed when the code exchange failed'),
    pin: pin.optional().describe('Replaces the PIN before registering (Meta answered 133005: wrong PIN)'),
  })
  .default({});

const failure = z.object({ code: z.number().optional(), message: z.string(), step: z.string().optional() });

export const channelSchema = z
  .object({
    id: z.string(),
    wabaId: z.string(),
    wabaExternalId: z.string(),
    wabaStatus: z.enum(['active', 'needs_reauth', 'disconnected']),
    phoneNumberId: z.string(),
    displayPhoneNumber: z.string().nullable(),
    verifiedName: z.string().nullable(),
    status: z.enum(channelStatuses),
    qualityRating: z.string().nullable(),
    messagingLimitTier: z.string().nullable(),
    throughputLevel: z.string().nullable(),
    lastError: failure.nullable(),
    registeredAt: z.date().nullable(),
    lastSyncedAt: z.date().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Channel' });

export const onboardingSchema = z
  .object({
    id: z.string(),
    method: z.enum(['embedded_signup', 'manual']),
    state: z.enum(['running', 'failed', 'done']),
    step: z.enum(onboardingSteps).describe('The next step to run (`done` when finished)'),
    completed: z.record(z.string(), z.string()).describe('When each finished step finished'),
    lastError: failure.nullable(),
    wabaExternalId: z.string(),
    phoneNumberId: z.string().nullable(),
    channelId: z.string().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'ChannelOnboarding' });

export const onboardingReply = z.object({ onboarding: onboardingSchema, channel: channelSchema.nullable() });
export const channelListReply = z.object({ items: z.array(channelSchema) });

export const embeddedSignupConfigReply = z.object({
  enabled: z.boolean().describe('False when META_APP_ID is not configured'),
  appId: z.string().nullable(),
  configId: z.string().nullable(),
  graphVersion: z.string(),
});
