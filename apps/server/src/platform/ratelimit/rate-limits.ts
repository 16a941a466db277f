import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** Rate-limit port: memory counters in embedded mode, Redis counters (shared by all processes) in scale mode. */
export interface RateLimitRule {
  /** Namespace of the counters, e.g. 'login:ip'. */
  name: string;
  points: number;
  durationSeconds: number;
  /** Once exhausted, keep refusing for this long. */
  blockSeconds?: number;
}

export type RateDecision =
  | { allowed: true; remaining: number; resetMs: number }
  | { allowed: false; remaining: 0; retryAfterMs: number };

export interface RateLimiter {
  consume(key: string, points?: number): Promise<RateDecision>;
  /** Forget a key (e.g. after a successful log-in). */
  reset(key: string): Promise<void>;
}

export interface RateLimits {
  readonly kind: 'memory' | 'redis';
  limiter(rule: RateLimitRule): RateLimiter;
}

type Backend = RateLimiterMemory | RateLimiterRedis;

function wrap(backend: Backend): RateLimiter {
  return {
    async consume(key, points = 1) {
      try {
        const res = await backend.consume(key, points);
        return { allowed: true, remaining: res.remainingPoints, resetMs: res.msBeforeNext };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, rejection.msBeforeNext) };
        }
        throw rejection;
      }
    },
    async reset(key) {
      await backend.delete(key);
    },
  };
}

export function memoryRateLimits(): RateLimits {
  return {
    kind: 'memory',
    limiter(rule) {
      return wrap(
        new RateLimiterMemory({
          keyPrefix: rule.name,
          points: rule.points,
          duration: rule.durationSeconds,
          blockDuration: rule.blockSeconds ?? 0,
        }),
      );
    },
  };
}

export function redisRateLimits(redis: Redis, keyPrefix: string): RateLimits {
  return {
    kind: 'redis',
    limiter(rule) {
      const options = {
        keyPrefix: `${keyPrefix}:rl:${rule.name}`,
        points: rule.points,
        duration: rule.durationSeconds,
        blockDuration: rule.blockSeconds ?? 0,
      };
      return wrap(
        new RateLimiterRedis({
          ...options,
          // A key that has spent its points is refused from this process's memory until its window ends:
          // a client flooding past its limit costs no Redis call per request (noisy neighbours). Not with
          // blockSeconds, whose longer block must be stored in Redis for every process to see.
          ...(rule.blockSeconds ? {} : { inMemoryBlockOnConsumed: rule.points }),
          storeClient: redis,
          // If Redis is unreachable, count in this process instead of failing every request.
          insuranceLimiter: new RateLimiterMemory(options),
        }),
      );
    },
  };
}
