import { z } from 'zod';
import { microsToDecimal } from './billing.rates.js';
import type { GovernanceFlagRow, UsageRow, WalletRow } from './billing.tables.js';

export const workspaceParams = z.object({ workspaceId: z.string() });

/** An amount both exact (micros: millionths of the currency unit) and readable (a decimal string). */
const money = z.object({ micros: z.number().int(), decimal: z.string() });
export const moneyOf = (micros: number) => ({ micros, decimal: microsToDecimal(micros) });

const monthStart = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
};

/** `[from, to)`; by default the current calendar month (UTC) up to now. */
export const rangeQuery = z
  .object({
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
  })
  .transform((q) => ({ from: q.from ?? monthStart(), to: q.to ?? new Date(Date.now() + 1000) }))
  .refine((q) => q.from < q.to, { message: '`from` must be before `to`', path: ['from'] });

export const usageQuery = z
  .object({
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
    groupBy: z.enum(['day', 'category', 'market', 'channel']).default('day'),
  })
  .transform((q) => ({
    from: q.from ?? monthStart(),
    to: q.to ?? new Date(Date.now() + 1000),
    groupBy: q.groupBy,
  }))
  .refine((q) => q.from < q.to, { message: '`from` must be before `to`', path: ['from'] });

export const usageReply = z
  .object({
    from: z.date(),
    to: z.date(),
    groupBy: z.enum(['day', 'category', 'market', 'channel']),
    data: z.array(z.object({ key: z.string(), currency: z.string(), count: z.number(), amount: money })),
    totals: z.array(z.object({ currency: z.string(), count: z.number(), amount: money })),
  })
  .meta({ id: 'BillingUsage' });

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.string().optional(),
});

export const usageEntry = z
  .object({
    id: z.string(),
    key: z.string(),
    messageId: z.string(),
    channelId: z.string(),
    pricingModel: z.enum(['PMP', 'CBP']),
    category: z.string(),
    pricingType: z.string().nullable(),
    market: z.string(),
    currency: z.string(),
    price: money,
    metaConversationId: z.string().nullable(),
    occurredAt: z.date(),
  })
  .meta({ id: 'UsageEntry' });

export const toUsageEntry = (row: UsageRow): z.infer<typeof usageEntry> => ({
  id: row.id,
  key: row.key,
  messageId: row.messageId,
  channelId: row.channelId,
  pricingModel: row.pricingModel,
  category: row.category,
  pricingType: row.pricingType,
  market: row.market,
  currency: row.currency,
  price: moneyOf(row.priceMicros),
  metaConversationId: row.metaConversationId,
  occurredAt: row.occurredAt,
});

export const walletView = z
  .object({
    mode: z.enum(['prepaid', 'postpaid']),
    currency: z.string(),
    balance: money,
    reserved: money,
    available: money,
  })
  .meta({ id: 'Wallet' });

export const toWalletView = (row: WalletRow): z.infer<typeof walletView> => ({
  mode: row.mode,
  currency: row.currency,
  balance: moneyOf(row.balanceMicros),
  reserved: moneyOf(row.reservedMicros),
  available: moneyOf(row.balanceMicros - row.reservedMicros),
});

export const walletEntry = z
  .object({
    id: z.string(),
    kind: z.enum(['top_up', 'adjustment', 'reserve', 'release', 'charge']),
    balanceDelta: money,
    reservedDelta: money,
    balanceAfter: money,
    reservedAfter: money,
    messageId: z.string().nullable(),
    reference: z.string().nullable(),
    createdAt: z.date(),
  })
  .meta({ id: 'WalletEntry' });

export const flagView = z
  .object({
    id: z.string(),
    channelId: z.string(),
    templateName: z.string(),
    reason: z.enum(['opt_out_rate', 'failure_rate', 'volume_jump']),
    metrics: z.record(z.string(), z.number()),
    paused: z.boolean(),
    state: z.enum(['open', 'reviewed']),
    raisedAt: z.date(),
    reviewedBy: z.string().nullable(),
    reviewedAt: z.date().nullable(),
    reviewNote: z.string().nullable(),
  })
  .meta({ id: 'GovernanceFlag' });

export const toFlagView = (row: GovernanceFlagRow): z.infer<typeof flagView> => ({
  id: row.id,
  channelId: row.channelId,
  templateName: row.templateName,
  reason: row.reason,
  metrics: row.metrics,
  paused: row.paused,
  state: row.state,
  raisedAt: row.raisedAt,
  reviewedBy: row.reviewedBy,
  reviewedAt: row.reviewedAt,
  reviewNote: row.reviewNote,
});

export const governanceSettingsSchema = z
  .object({
    enabled: z.boolean(),
    optOutRateBasisPoints: z.number().int().min(1).max(10_000),
    failureRateBasisPoints: z.number().int().min(1).max(10_000),
    minSample: z.number().int().min(1).max(1_000_000),
    volumeJumpFactor: z.number().int().min(2).max(1000),
    volumeMinSends: z.number().int().min(1).max(10_000_000),
  })
  .meta({ id: 'GovernanceSettings' });

export const velocityView = z
  .object({
    channelId: z.string(),
    templateName: z.string(),
    marketing: z.boolean(),
    sendsLastMinute: z.number(),
    sendsLastHour: z.number(),
    uniqueRecipientsLastHour: z.number(),
    optOutsLastHour: z.number(),
    failuresLastHour: z.number(),
    hourlyBaseline: z.number(),
  })
  .meta({ id: 'TemplateVelocity' });

/** A decimal amount in the currency's unit, e.g. "500" or "12.50" (six decimals at most). */
export const decimalAmount = z
  .string()
  .regex(/^-?\d{1,12}(\.\d{1,6})?$/, { message: 'a decimal amount such as 500 or 12.50' });
