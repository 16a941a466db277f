import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const onboardingSteps = [
  'exchange_code',
  'debug_token',
  'subscribe_app',
  'register_phone',
  'fetch_numbers',
  'done',
] as const;
export type OnboardingStep = (typeof onboardingSteps)[number];

/**
 * One run of the onboarding sequence (Embedded Signup or a manual system-user token). Each finished
 * step is recorded, so a retry resumes at the failed step and `register` (10 per 72 h) never repeats
 * needlessly. Tokens and PINs are referenced by vault id, never stored here.
 */
export const channelOnboardings = pgTable(
  'channel_onboardings',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    method: text('method', { enum: ['embedded_signup', 'manual'] }).notNull(),
    /** Meta ids the browser (or the operator) reported. */
    wabaExternalId: text('waba_external_id').notNull(),
    phoneNumberId: text('phone_number_id'),
    businessId: text('business_id'),
    /** The next step to run; `done` when finished. */
    step: text('step', { enum: onboardingSteps }).notNull().default('exchange_code'),
    state: text('state', { enum: ['running', 'failed', 'done'] })
      .notNull()
      .default('running'),
    /** When each step finished, by step name. */
    completed: jsonb('completed').$type<Partial<Record<OnboardingStep, string>>>().notNull().default({}),
    lastError: jsonb('last_error').$type<{ step: OnboardingStep; code?: number; message: string }>(),
    tokenSecretId: text('token_secret_id'),
    pinSecretId: text('pin_secret_id'),
    /** Our rows once created. */
    wabaId: text('waba_id'),
    channelId: text('channel_id'),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('channel_onboardings_workspace_idx').on(t.workspaceId, t.createdAt)],
);
