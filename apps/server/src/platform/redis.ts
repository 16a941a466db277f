import { Redis } from 'ioredis';

/** A Redis connection for the platform's adapters. BullMQ needs maxRetriesPerRequest: null. */
export function connectRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

/**
 * BullMQ keeps jobs in Redis keys; any eviction policy but `noeviction` lets Redis drop them under
 * memory pressure. Scale mode refuses to start on such a server.
 */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const info = await redis.info('memory');
  const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
  if (policy && policy !== 'noeviction') {
    throw new Error(
      `Redis maxmemory-policy is "${policy}", but OpenWABA needs "noeviction" (queued jobs would be evicted). ` +
        'Fix: run `redis-cli CONFIG SET maxmemory-policy noeviction` and set `maxmemory-policy noeviction` in redis.conf ' +
        '(or the equivalent parameter of your managed Redis).',
    );
  }
}
