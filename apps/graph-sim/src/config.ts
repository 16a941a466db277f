import { z } from 'zod';

/**
 * Behaviour knobs. Defaults follow CLOUD-API.md; every item that document marks UNCONFIRMED is a knob
 * here rather than a guess baked into code. Durations are milliseconds of simulated time (see clock.ts).
 */
export const simConfigSchema = z.object({
  /** Master switch for throughput, pair-rate and messaging-limit checks (off for benchmarks). */
  limitsEnabled: z.boolean().default(true),
  throughput: z
    .object({
      standardPerSecond: z.number().int().positive().default(80),
      highPerSecond: z.number().int().positive().default(1000),
    })
    .prefault({}),
  pairRate: z
    .object({
      /** Messages that may go to one user at once before the steady rate applies. */
      burst: z.number().int().positive().default(45),
      /** Steady rate: one message per this many ms to the same user. */
      intervalMs: z.number().int().positive().default(6000),
    })
    .prefault({}),
  /** Code of the failed status when the messaging-limit tier is exhausted (UNCONFIRMED which code Meta uses). */
  tierLimitErrorCode: z.number().int().default(131048),
  /** HTTP status of throttling errors: 400 in most captures, 429 in one table (UNCONFIRMED). */
  throttleHttpStatus: z.union([z.literal(400), z.literal(429)]).default(400),
  /** A `to` without `+`: treat as international, or prefix the sender's country code like Meta may. */
  missingPlus: z.enum(['international', 'prefix-country-code']).default('international'),
  /** Recipients not created as customers: fail later with 131026 (Meta), or create them on the fly. */
  unknownRecipients: z.enum(['fail', 'auto-create']).default('fail'),
  windowMs: z
    .number()
    .int()
    .positive()
    .default(24 * 3600_000),
  freeEntryPointWindowMs: z
    .number()
    .int()
    .positive()
    .default(72 * 3600_000),
  statuses: z
    .object({
      sentDelayMs: z.number().int().min(0).default(100),
      deliveredDelayMs: z.number().int().min(0).default(400),
      readDelayMs: z.number().int().min(0).default(1500),
      /** 0..1: share of messages whose statuses are emitted in reverse order (read before delivered). */
      outOfOrderRate: z.number().min(0).max(1).default(0),
      /** 0..1: share of webhook POSTs sent twice with identical bytes (at-least-once delivery). */
      duplicateRate: z.number().min(0).max(1).default(0),
      pricingModel: z.enum(['PMP', 'CBP']).default('PMP'),
      /** Service (non-template) messages billable: a reported Oct 2026 change (UNCONFIRMED). */
      serviceBillable: z.boolean().default(false),
      /**
       * Whether statuses carry a `conversation` object under per-message pricing. Meta's status webhook
       * reference: from v24.0 it is omitted unless the message went out in an open free entry point
       * window (`free_entry_point`, the default); up to v23.0 every priced status carries one, with an
       * id unique per message (`always`, as in the recorded Oct 2025 PMP webhooks).
       */
      conversationObject: z.enum(['never', 'always', 'free_entry_point']).default('free_entry_point'),
    })
    .prefault({}),
  webhooks: z
    .object({
      /** Collect updates for this long and send them in one POST (0: one update per POST). */
      batchWindowMs: z.number().int().min(0).default(0),
      batchMaxItems: z.number().int().min(1).max(1000).default(1000),
      retryInitialMs: z.number().int().positive().default(5000),
      retryFactor: z.number().min(1).default(2),
      retryMaxDelayMs: z.number().int().positive().default(3600_000),
      /** Meta retries for up to 7 days (one page says 36 hours: UNCONFIRMED). */
      retryMaxAgeMs: z
        .number()
        .int()
        .positive()
        .default(7 * 24 * 3600_000),
      timeoutMs: z.number().int().positive().default(10_000),
      concurrency: z.number().int().positive().default(32),
    })
    .prefault({}),
  templates: z
    .object({
      reviewDelayMs: z.number().int().min(0).default(2000),
      defaultOutcome: z.enum(['APPROVED', 'REJECTED']).default('APPROVED'),
      rejectionReason: z.string().default('INVALID_FORMAT'),
    })
    .prefault({}),
  oauth: z
    .object({
      /** Embedded Signup codes live about 30 s (UNCONFIRMED). */
      codeTtlMs: z.number().int().positive().default(30_000),
    })
    .prefault({}),
  media: z
    .object({
      urlTtlMs: z
        .number()
        .int()
        .positive()
        .default(5 * 60_000),
      retentionMs: z
        .number()
        .int()
        .positive()
        .default(30 * 24 * 3600_000),
    })
    .prefault({}),
  register: z
    .object({
      maxCalls: z.number().int().positive().default(10),
      periodMs: z
        .number()
        .int()
        .positive()
        .default(72 * 3600_000),
    })
    .prefault({}),
  /** Sent messages kept for the control API; older ones are forgotten so long runs stay bounded. */
  maxStoredMessages: z.number().int().positive().default(200_000),
  /** Messages kept per customer inbox (the newest ones). */
  maxInboxPerCustomer: z.number().int().positive().default(1000),
  /** Seed of the pseudo-random choices (out-of-order, duplicates) so a scenario replays the same way. */
  seed: z.number().int().default(1),
});

export type SimConfig = z.infer<typeof simConfigSchema>;
export type SimConfigInput = z.input<typeof simConfigSchema>;

export function buildConfig(input: SimConfigInput = {}): SimConfig {
  return simConfigSchema.parse(input);
}

type Plain = Record<string, unknown>;

/** Applies a partial patch (nested objects merged) and validates the result as a whole. */
export function patchConfig(current: SimConfig, patch: unknown): SimConfig {
  return simConfigSchema.parse(merge(current as unknown as Plain, (patch ?? {}) as Plain));
}

function merge(base: Plain, patch: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const prev = base[key];
    out[key] = isPlain(value) && isPlain(prev) ? merge(prev, value) : value;
  }
  return out;
}

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
