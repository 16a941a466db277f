import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type Platform, perPlatform } from '../../platform/context.js';

/**
 * Who is online in a workspace. A user is online while at least one realtime connection of theirs is
 * open (on any server process), and `away` when they chose so; the choice outlives reconnects until they
 * set `online` again. Embedded mode keeps this in memory; scale mode in Redis, where every connection is
 * a lease that its server process renews, so the connections of a crashed process expire by themselves.
 */
export type PresenceStatus = 'online' | 'away' | 'offline';

export interface PresenceLease {
  /** Ends this connection's presence; true when it was the user's last one (the user is now offline). */
  release(): Promise<boolean>;
}

export interface PresenceStore {
  /** A connection opened; `cameOnline` is true when the user had no other connection. */
  open(workspaceId: string, userId: string): Promise<{ lease: PresenceLease; cameOnline: boolean }>;
  setAway(workspaceId: string, userId: string, away: boolean): Promise<void>;
  /** Connected users and their status (offline users are absent). */
  list(workspaceId: string): Promise<Map<string, 'online' | 'away'>>;
}

/** Users with an open realtime connection whose status is not `away` (across every server process). */
export async function onlineUserIds(platform: Platform, workspaceId: string): Promise<Set<string>> {
  const users = await presenceStore(platform).list(workspaceId);
  return new Set([...users].filter(([, status]) => status === 'online').map(([userId]) => userId));
}

export async function presenceOf(
  platform: Platform,
  workspaceId: string,
  userId: string,
): Promise<PresenceStatus> {
  return (await presenceStore(platform).list(workspaceId)).get(userId) ?? 'offline';
}

/**
 * Marks a user present as an open connection would, with the given status, until the lease is released.
 * For tests of features that depend on presence (auto-assignment) without opening a realtime stream.
 */
export async function markPresence(
  platform: Platform,
  workspaceId: string,
  userId: string,
  status: 'online' | 'away' = 'online',
): Promise<PresenceLease> {
  const store = presenceStore(platform);
  await store.setAway(workspaceId, userId, status === 'away');
  return (await store.open(workspaceId, userId)).lease;
}

export const presenceStore = perPlatform<PresenceStore>((platform) =>
  platform.redis
    ? redisPresence(platform.redis, platform.config.redis.keyPrefix, (error) =>
        platform.logger.warn({ err: error }, 'presence heartbeat failed'),
      )
    : memoryPresence(),
);

export function memoryPresence(): PresenceStore {
  const connections = new Map<string, Map<string, number>>();
  const away = new Map<string, Set<string>>();
  return {
    async open(workspaceId, userId) {
      let users = connections.get(workspaceId);
      if (!users) {
        users = new Map();
        connections.set(workspaceId, users);
      }
      const count = users.get(userId) ?? 0;
      users.set(userId, count + 1);
      let released = false;
      const lease: PresenceLease = {
        async release() {
          if (released) return false;
          released = true;
          const left = (users.get(userId) ?? 1) - 1;
          if (left > 0) {
            users.set(userId, left);
            return false;
          }
          users.delete(userId);
          if (users.size === 0) connections.delete(workspaceId);
          return true;
        },
      };
      return { lease, cameOnline: count === 0 };
    },
    async setAway(workspaceId, userId, isAway) {
      let set = away.get(workspaceId);
      if (!set) {
        set = new Set();
        away.set(workspaceId, set);
      }
      if (isAway) set.add(userId);
      else set.delete(userId);
    },
    async list(workspaceId) {
      const awaySet = away.get(workspaceId);
      const result = new Map<string, 'online' | 'away'>();
      for (const userId of connections.get(workspaceId)?.keys() ?? []) {
        result.set(userId, awaySet?.has(userId) ? 'away' : 'online');
      }
      return result;
    },
  };
}

/** How long a lease lives without renewal, and how often a process renews its leases. */
export const PRESENCE_TTL_MS = 30_000;
const HEARTBEAT_MS = 10_000;

// Leases are members `<userId> <leaseId>` of a sorted set per workspace, scored by their expiry time.
const USER_HAS_LEASE = `
local function userHasLease(key, userId)
  local prefix = userId .. ' '
  for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    if string.sub(member, 1, #prefix) == prefix then return true end
  end
  return false
end
`;

// KEYS[1] leases; ARGV: member, expiresAt, now, userId, key ttl ms. Returns 1 when the user came online.
const OPEN = `${USER_HAS_LEASE}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local first = not userHasLease(KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if first then return 1 end
return 0
`;

// KEYS[1] leases; ARGV: member, now, userId. Returns 1 when the user has no lease left.
const CLOSE = `${USER_HAS_LEASE}
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if removed == 1 and not userHasLease(KEYS[1], ARGV[3]) then return 1 end
return 0
`;

export function redisPresence(
  redis: Redis,
  keyPrefix: string,
  onHeartbeatError: (error: unknown) => void,
): PresenceStore {
  // Hash tags keep a workspace's keys in one Redis Cluster slot.
  const leasesKey = (workspaceId: string) => `${keyPrefix}:rt:{${workspaceId}}:presence`;
  const awayKey = (workspaceId: string) => `${keyPrefix}:rt:{${workspaceId}}:away`;
  const local = new Map<string, string>(); // member → workspace, the leases this process renews
  let timer: NodeJS.Timeout | undefined;

  const renew = async () => {
    const expiresAt = Date.now() + PRESENCE_TTL_MS;
    const batch = redis.pipeline();
    for (const [member, workspaceId] of local) {
      batch.zadd(leasesKey(workspaceId), expiresAt, member);
      batch.pexpire(leasesKey(workspaceId), PRESENCE_TTL_MS);
    }
    const results = await batch.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  };

  return {
    async open(workspaceId, userId) {
      const member = `${userId} ${randomUUID()}`;
      const now = Date.now();
      const cameOnline = await redis.eval(
        OPEN,
        1,
        leasesKey(workspaceId),
        member,
        now + PRESENCE_TTL_MS,
        now,
        userId,
        PRESENCE_TTL_MS,
      );
      local.set(member, workspaceId);
      timer ??= setInterval(() => renew().catch(onHeartbeatError), HEARTBEAT_MS).unref();
      const lease: PresenceLease = {
        async release() {
          if (!local.delete(member)) return false;
          if (local.size === 0) {
            clearInterval(timer);
            timer = undefined;
          }
          const wentOffline = await redis.eval(CLOSE, 1, leasesKey(workspaceId), member, Date.now(), userId);
          return Number(wentOffline) === 1;
        },
      };
      return { lease, cameOnline: Number(cameOnline) === 1 };
    },
    async setAway(workspaceId, userId, away) {
      if (away) await redis.sadd(awayKey(workspaceId), userId);
      else await redis.srem(awayKey(workspaceId), userId);
    },
    async list(workspaceId) {
      const [members, awayUsers] = await Promise.all([
        redis.zrangebyscore(leasesKey(workspaceId), Date.now(), '+inf'),
        redis.smembers(awayKey(workspaceId)),
      ]);
      const awaySet = new Set(awayUsers);
      const result = new Map<string, 'online' | 'away'>();
      for (const member of members) {
        const userId = member.slice(0, member.indexOf(' '));
        result.set(userId, awaySet.has(userId) ? 'away' : 'online');
      }
      return result;
    },
  };
}
