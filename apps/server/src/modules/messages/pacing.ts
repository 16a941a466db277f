import type { Redis } from 'ioredis';
import type { Platform } from '../../platform/context.js';

/**
 * Send coordination shared by every worker: smooth pacing (GCRA — each grant reserves the next
 * evenly spaced slot, so sends never bunch the way a fixed one-second window lets them) and a circuit
 * breaker per number. Redis in scale mode (one script call, Redis's clock), memory in embedded mode.
 */

export type Grant = { granted: true; waitMs: number } | { granted: false; retryInMs: number };

export interface SendCoordinator {
  /**
   * Reserves a slot on `key`: one per `intervalUs`, with `burst` slots usable at once. When the slot is
   * more than `maxWaitMs` away nothing is reserved and the caller comes back later.
   */
  acquire(key: string, intervalUs: number, burst: number, maxWaitMs: number): Promise<Grant>;
  /** Milliseconds the breaker of `key` stays open; 0 when closed. */
  breakerOpenMs(key: string): Promise<number>;
  /** Counts a failure; opens the breaker when `threshold` failures fall within `windowMs`. */
  breakerFailure(key: string, threshold: number, windowMs: number, cooldownMs: number): Promise<boolean>;
  breakerSuccess(key: string): Promise<void>;
}

const nowUs = () => Math.floor((performance.timeOrigin + performance.now()) * 1000);

function grantFrom(waitUs: number, maxWaitMs: number, reserve: () => void): Grant {
  if (waitUs > maxWaitMs * 1000) return { granted: false, retryInMs: Math.ceil(waitUs / 1000) };
  reserve();
  return { granted: true, waitMs: waitUs / 1000 };
}

export function memoryCoordinator(): SendCoordinator {
  const tats = new Map<string, number>();
  const failures = new Map<string, number[]>();
  const openUntil = new Map<string, number>();
  return {
    async acquire(key, intervalUs, burst, maxWaitMs) {
      const now = nowUs();
      const tat = Math.max(tats.get(key) ?? 0, now);
      const waitUs = Math.max(0, tat - intervalUs * (burst - 1) - now);
      return grantFrom(waitUs, maxWaitMs, () => tats.set(key, tat + intervalUs));
    },
    async breakerOpenMs(key) {
      return Math.max(0, (openUntil.get(key) ?? 0) - Date.now());
    },
    async breakerFailure(key, threshold, windowMs, cooldownMs) {
      const now = Date.now();
      const recent = (failures.get(key) ?? []).filter((at) => at > now - windowMs);
      recent.push(now);
      failures.set(key, recent);
      if (recent.length < threshold) return false;
      openUntil.set(key, now + cooldownMs);
      failures.delete(key);
      return true;
    },
    async breakerSuccess(key) {
      failures.delete(key);
    },
  };
}

// Times in microseconds from Redis's own clock, so workers with skewed clocks still space evenly.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - interval * (tonumber(ARGV[2]) - 1) - now
if wait < 0 then wait = 0 end
if wait > tonumber(ARGV[3]) * 1000 then return -wait end
redis.call('SET', KEYS[1], string.format('%d', tat + interval), 'PX', math.ceil((tat + interval - now) / 1000) + 1000)
return wait`;

const FAILURE = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

export function redisCoordinator(redis: Redis, prefix: string): SendCoordinator {
  const k = (kind: string, key: string) => `${prefix}:send:${kind}:${key}`;
  return {
    async acquire(key, intervalUs, burst, maxWaitMs) {
      const result = Number(await redis.eval(ACQUIRE, 1, k('pace', key), intervalUs, burst, maxWaitMs));
      return result < 0
        ? { granted: false, retryInMs: Math.ceil(-result / 1000) }
        : { granted: true, waitMs: result / 1000 };
    },
    async breakerOpenMs(key) {
      return Math.max(0, await redis.pttl(k('open', key)));
    },
    async breakerFailure(key, threshold, windowMs, cooldownMs) {
      const opened = await redis.eval(
        FAILURE,
        2,
        k('fail', key),
        k('open', key),
        threshold,
        windowMs,
        cooldownMs,
      );
      return Number(opened) === 1;
    },
    async breakerSuccess(key) {
      await redis.del(k('fail', key));
    },
  };
}

// Keyed by the config object, shared by the platform handle and the job context.
const coordinators = new WeakMap<object, SendCoordinator>();

export function coordinatorFor(platform: Platform): SendCoordinator {
  let coordinator = coordinators.get(platform.config);
  if (!coordinator) {
    coordinator = platform.redis
      ? redisCoordinator(platform.redis, platform.config.redis.keyPrefix)
      : memoryCoordinator();
    coordinators.set(platform.config, coordinator);
  }
  return coordinator;
}
