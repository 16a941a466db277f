import type { Platform } from '../../platform/context.js';

/** Tunables of the send worker. Defaults follow Meta's limits; tests and benchmarks override them. */
export interface SendSettings {
  /** Share of the number's throughput actually used: spacing margin against network jitter. */
  throughputShare: number;
  /** Messages per second by Meta's throughput level; numbers without a level get `STANDARD`. */
  throughputByLevel: Record<string, number>;
  /** Pair rate: one message per `pairIntervalMs` to the same recipient, `pairBurst` at once. */
  pairIntervalMs: number;
  pairBurst: number;
  /** Longest a job sleeps for its slot before it is re-queued with a delay instead. */
  maxPaceWaitMs: number;
  /** Tries of one message for retryable failures, the first included. */
  maxAttempts: number;
  /** Exponential backoff base and cap; a random jitter of up to 50% is added. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Breaker: this many 5xx/timeouts within the window pause the number for the cooldown. */
  breakerThreshold: number;
  breakerWindowMs: number;
  breakerCooldownMs: number;
  /**
   * A send whose outcome is unknown (worker died mid-call, timeout) waits this long for a status
   * webhook to reconcile it (biz_opaque_callback_data carries our id), then fails without a re-send.
   */
  unknownOutcomeGraceMs: number;
  /** Test hook: runs after Meta accepted, before the outcome is stored (a crash is simulated by throwing). */
  afterAccepted?: (messageId: string) => void | Promise<void>;
}

export const defaultSendSettings: SendSettings = {
  throughputShare: 0.95,
  throughputByLevel: { STANDARD: 80, HIGH: 1000, NOT_APPLICABLE: 80 },
  pairIntervalMs: 6_000,
  pairBurst: 10,
  maxPaceWaitMs: 2_000,
  maxAttempts: 6,
  backoffBaseMs: 1_000,
  backoffMaxMs: 300_000,
  breakerThreshold: 5,
  breakerWindowMs: 30_000,
  breakerCooldownMs: 30_000,
  unknownOutcomeGraceMs: 120_000,
};

// Keyed by the config object: the job context and the platform handle are different objects around it.
const overrides = new WeakMap<object, Partial<SendSettings>>();

export function sendSettings(platform: Platform): SendSettings {
  return { ...defaultSendSettings, ...overrides.get(platform.config) };
}

/** Changes the settings of one platform (tests, benchmarks). */
export function configureSending(platform: Platform, settings: Partial<SendSettings>): void {
  overrides.set(platform.config, { ...overrides.get(platform.config), ...settings });
}
