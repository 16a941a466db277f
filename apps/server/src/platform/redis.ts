import { type ChainableCommander, Redis } from 'ioredis';

/** A Redis connection for the platform's adapters. BullMQ needs maxRetriesPerRequest: null. */
export function connectRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

/**
 * Waits until the connection is ready, or throws after `timeoutMs` naming REDIS_URL (without
 * credentials). With maxRetriesPerRequest: null, commands to an unreachable Redis wait forever, so
 * boot checks this first.
 */
export async function waitForRedis(redis: Redis, url: string, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  let lastError: Error | undefined;
  let onReady = () => {};
  const onError = (error: Error) => {
    lastError = error;
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onReady = resolve;
      redis.once('ready', onReady);
      redis.on('error', onError);
      timer = setTimeout(() => {
        const cause = lastError ? `: ${lastError.message}` : '';
        reject(
          new Error(
            `Redis at ${withoutCredentials(url)} (REDIS_URL) is not reachable after ${timeoutMs / 1000} s${cause}. ` +
              'Check REDIS_URL and that Redis is running and reachable from this host.',
          ),
        );
      }, timeoutMs);
    });
  } finally {
    clearTimeout(timer);
    redis.off('ready', onReady);
    redis.off('error', onError);
  }
}

/** A Redis URL fit for a log line or an error: user and password removed. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
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

/** One command, written against the connection or against a pipeline (ioredis gives both the same methods). */
export type RedisCall<T extends Redis = Redis> = (target: T) => unknown;

/**
 * Sends the commands issued within one turn of the event loop together: a lone command as itself, several
 * in one pipeline (one write, one round trip). ioredis's `enableAutoPipelining` does the same but wraps
 * even a lone command in a Pipeline. On the send API nearly every publish is alone, and those pipelines
 * were the largest share of what the server promoted to V8's old generation (bench/RESULTS.md, session
 * 8): full collections came twice as often.
 */
export function tickBatched<T extends Redis = Redis>(connection: T): <R>(call: RedisCall<T>) => Promise<R> {
  type Pending = { call: RedisCall<T>; resolve: (value: unknown) => void; reject: (error: unknown) => void };
  let pending: Pending[] = [];
  const flush = () => {
    const calls = pending;
    pending = [];
    const [only] = calls;
    if (calls.length === 1 && only) {
      Promise.resolve()
        .then(() => only.call(connection))
        .then(only.resolve, only.reject);
      return;
    }
    const pipeline: ChainableCommander = connection.pipeline();
    try {
      for (const { call } of calls) call(pipeline as unknown as T);
    } catch (error) {
      for (const { reject } of calls) reject(error);
      return;
    }
    pipeline.exec().then(
      (results) =>
        calls.forEach(({ resolve, reject }, i) => {
          const [error, value] = results?.[i] ?? [new Error('the pipeline returned no result')];
          if (error) reject(error);
          else resolve(value);
        }),
      (error: unknown) => {
        for (const { reject } of calls) reject(error);
      },
    );
  };
  return <R>(call: RedisCall<T>) =>
    new Promise<R>((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ call, resolve: resolve as (value: unknown) => void, reject });
    });
}
