import { z } from 'zod';

/**
 * Plans and their limits, as data. Later modules read `effectiveLimits(workspace)` (e.g. the sender's
 * messages-per-minute pacer); nothing else hard-codes a limit. Enterprise limits are set per workspace
 * (`workspaces.limit_overrides`); `null` means unlimited.
 */
export const planNames = ['free', 'pro', 'enterprise'] as const;
export type PlanName = (typeof planNames)[number];

export const planLimitsSchema = z.object({
  messagesPerMinute: z.number().int().positive(),
  auditRetentionDays: z.number().int().min(1).max(3650),
  seats: z.number().int().positive().nullable(),
  apiKeys: z.number().int().positive().nullable(),
  channels: z.number().int().positive().nullable(),
});
export type PlanLimits = z.infer<typeof planLimitsSchema>;

/** Sane bounds for the operator's per-workspace overrides; the audit trail is kept at least 30 days. */
export const limitOverridesSchema = z
  .object({
    messagesPerMinute: z.number().int().min(1).max(100_000),
    auditRetentionDays: z.number().int().min(30).max(3650),
    seats: z.number().int().min(1).max(100_000).nullable(),
    apiKeys: z.number().int().min(1).max(10_000).nullable(),
    channels: z.number().int().min(1).max(10_000).nullable(),
  })
  .partial()
  .strict();
export type LimitOverrides = z.infer<typeof limitOverridesSchema>;

export const DEFAULT_AUDIT_RETENTION_DAYS = 90;

export const plans: Record<PlanName, { label: string; limits: PlanLimits; configurable: boolean }> = {
  free: {
    label: 'Free',
    configurable: false,
    limits: {
      messagesPerMinute: 100,
      auditRetentionDays: DEFAULT_AUDIT_RETENTION_DAYS,
      seats: 5,
      apiKeys: 2,
      channels: 1,
    },
  },
  pro: {
    label: 'Pro',
    configurable: false,
    limits: {
      messagesPerMinute: 1_000,
      auditRetentionDays: DEFAULT_AUDIT_RETENTION_DAYS,
      seats: 50,
      apiKeys: 20,
      channels: 10,
    },
  },
  enterprise: {
    label: 'Enterprise',
    configurable: true,
    limits: {
      messagesPerMinute: 10_000,
      auditRetentionDays: 365,
      seats: null,
      apiKeys: null,
      channels: null,
    },
  },
};

/** The plan's limits with the workspace's overrides applied (only configurable plans honour them). */
export function effectiveLimits(workspace: {
  plan: PlanName;
  limitOverrides: LimitOverrides | null;
}): PlanLimits {
  const plan = plans[workspace.plan];
  if (!plan.configurable || !workspace.limitOverrides) return plan.limits;
  return { ...plan.limits, ...stripUndefined(workspace.limitOverrides) };
}

function stripUndefined(overrides: LimitOverrides): LimitOverrides {
  return Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
}
