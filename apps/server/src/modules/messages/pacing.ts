import type { Redis } from 'ioredis';
import { perPlatform } from '../../platform/context.js';

/**
 * Send coordination shared by every worker: smooth pacing (GCRA — each grant reserves the next
 * evenly spaced slot, so sends never bunch the way a fixed one-second window lets them) and a circuit
 * breaker per number. Redis in scale mode (one script call, Redis's clock), memory in embedded mode.
 */

/** One pacing slot to reserve: one per `intervalUs` on `key`, with `burst` usable at once. */
export interface SlotRequest {
  key: string;
  intervalUs: number;
  burst: number;
}

export type Grant =
  | { granted: true; waitMs: number }
  | { granted: false; reason: 'pace' | 'breaker'; retryInMs: number };

export interface SendCoordinator {
  /**
   * Reserves every slot in `slots` together (a number's pace and the recipient's pair rate), in one
   * round trip that also checks `breakerKey`. Nothing is reserved when the breaker is open or a slot
   * is more than `maxWaitMs` away; the caller then comes back after `retryInMs`.
   */
  acquire(breakerKey: string, slots: readonly SlotRequest[], maxWaitMs: number): Promise<Grant>;
  /** Milliseconds the breaker of `key` stays open; 0 when closed. */
  breakerOpenMs(key: string): Promise<number>;
  /** Counts a failure; opens the breaker when `threshold` failures fall within `windowMs`. */
  breakerFailure(key: string, threshold: number, windowMs: number, cooldownMs: number): Promise<boolean>;
  breakerSuccess(key: string): Promise<void>;
}

const nowUs = () => Math.floor((performance.timeOrigin + performance.now()) * 1000);

export function memoryCoordinator(): SendCoordinator {
  const tatOf = new Map<string, number>();
  const failures = new Map<string, number[]>();
  const openUntil = new Map<string, number>();
  return {
    async acquire(breakerKey, slots, maxWaitMs) {
      const openMs = (openUntil.get(breakerKey) ?? 0) - Date.now();
      if (openMs > 0) return { granted: false, reason: 'breaker', retryInMs: openMs };
      const now = nowUs();
      const tats = slots.map((slot) => Math.max(tatOf.get(slot.key) ?? 0, now));
      const waitUs = Math.max(
        0,
        ...slots.map((slot, i) => (tats[i] as number) - slot.intervalUs * (slot.burst - 1) - now),
      );
      if (waitUs > maxWaitMs * 1000)
        return { granted: false, reason: 'pace', retryInMs: Math.ceil(waitUs / 1000) };
      for (const [i, slot] of slots.entries()) tatOf.set(slot.key, (tats[i] as number) + slot.intervalUs);
      return { granted: true, waitMs: waitUs / 1000 };
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
// KEYS[1] is the breaker's open flag, KEYS[2..] the slots; ARGV: maxWaitMs, then interval and burst
// per slot. Returns {0, waitUs} granted, {1, waitUs} too far away, {2, openMs} breaker open.
const ACQUIRE = `
local open = redis.call('PTTL', KEYS[1])
if open > 0 then return {2, open} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = 0
local tats = {}
for i = 2, #KEYS do
  local interval = tonumber(ARGV[i * 2 - 2])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  tats[i] = tat
  local w = tat - interval * (tonumber(ARGV[i * 2 - 1]) - 1) - now
  if w > wait then wait = w end
end
if wait > tonumber(ARGV[1]) * 1000 then return {1, wait} end
for i = 2, #KEYS do
  local next = tats[i] + tonumber(ARGV[i * 2 - 2])
  redis.call('SET', KEYS[i], string.format('%d', next), 'PX', math.ceil((next - now) / 1000) + 1000)
end
return {0, wait}`;

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
    async acquire(breakerKey, slots, maxWaitMs) {
      const [code, value] = (await redis.eval(
        ACQUIRE,
        1 + slots.length,
        k('open', breakerKey),
        ...slots.map((slot) => k('pace', slot.key)),
        maxWaitMs,
        ...slots.flatMap((slot) => [slot.intervalUs, slot.burst]),
      )) as [number, number];
      if (code === 0) return { granted: true, waitMs: value / 1000 };
      return {
        granted: false,
        reason: code === 2 ? 'breaker' : 'pace',
        retryInMs: Math.ceil(code === 2 ? value : value / 1000),
      };
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

export const coordinatorFor = perPlatform<SendCoordinator>((platform) =>
  platform.redis ? redisCoordinator(platform.redis, platform.config.redis.keyPrefix) : memoryCoordinator(),
);

/**
 * The last step before a Graph call, per process: consecutive sends of one number leave at least
 * `gapMs` apart. The shared pacer spaces slots at 95% of the cap, but sends that wake late after an
 * event-loop stall would otherwise go out together with the on-time ones; here they catch up at a
 * rate the caller keeps under the number's cap, so no sliding second carries more than the cap.
 */
export class ReleaseGate {
  // One entry per phone number this process sends for.
  private readonly nextFree = new Map<string, number>();

  async pass(key: string, gapMs: number): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.nextFree.get(key) ?? 0);
    this.nextFree.set(key, at + gapMs);
    if (at - now >= 1) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}

export const releaseGateFor = perPlatform(() => new ReleaseGate());
