import type { SimConfig } from './config.js';
import { type PhoneNumber, TIER_LIMITS } from './state/entities.js';

/**
 * Meta's sending limits, each as its own counter:
 * - throughput per number: a token bucket holding one second of the number's rate;
 * - pair rate per (number, recipient): a bucket of `burst` that refills one per `intervalMs`;
 * - messaging-limit tier: unique users reached outside the service window per rolling 24 h, per portfolio.
 * Buckets read the simulated clock, so advancing it refills them.
 */
interface Bucket {
  tokens: number;
  at: number;
}

export class Limits {
  private readonly throughput = new Map<string, Bucket>();
  private readonly pairs = new Map<string, Bucket>();
  /** Per business: recipient → time it was last counted against the tier. */
  private readonly reached = new Map<string, Map<string, number>>();

  constructor(private readonly config: () => SimConfig) {}

  reset(): void {
    this.throughput.clear();
    this.pairs.clear();
    this.reached.clear();
  }

  ratePerSecond(number: PhoneNumber): number {
    const c = this.config().throughput;
    return (
      number.throughputPerSecond ??
      (number.throughputLevel === 'HIGH' ? c.highPerSecond : c.standardPerSecond)
    );
  }

  /** Takes one unit of the number's throughput; false when the second's budget is spent. */
  takeThroughput(number: PhoneNumber, now: number): boolean {
    const rate = this.ratePerSecond(number);
    return take(this.throughput, number.id, rate, rate / 1000, now);
  }

  takePair(numberId: string, waId: string, now: number): boolean {
    const { burst, intervalMs } = this.config().pairRate;
    return take(this.pairs, `${numberId}:${waId}`, burst, 1 / intervalMs, now);
  }

  /**
   * Counts a business-initiated message to `waId` against the portfolio's tier. Returns false when the
   * recipient is new in the rolling day and the tier is already full.
   */
  takeTier(businessId: string, number: PhoneNumber, waId: string, now: number, windowMs: number): boolean {
    let seen = this.reached.get(businessId);
    if (!seen) {
      seen = new Map();
      this.reached.set(businessId, seen);
    }
    const last = seen.get(waId);
    if (last !== undefined && now - last < windowMs) return true;
    let active = 0;
    for (const [id, at] of seen) {
      if (now - at < windowMs) active += 1;
      else seen.delete(id);
    }
    if (active >= TIER_LIMITS[number.limitTier]) return false;
    seen.set(waId, now);
    return true;
  }
}

function take(map: Map<string, Bucket>, key: string, capacity: number, perMs: number, now: number): boolean {
  let bucket = map.get(key);
  if (!bucket) {
    bucket = { tokens: capacity, at: now };
    map.set(key, bucket);
  } else {
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
  }
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}
