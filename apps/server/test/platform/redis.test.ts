import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectRedis, tickBatched, waitForRedis, withoutCredentials } from '../../src/platform/redis.js';

test('an unreachable REDIS_URL fails with a message naming it, without its password', async () => {
  const url = 'redis://owaba:hunter2@127.0.0.1:6399';
  const redis = connectRedis(url);
  try {
    await assert.rejects(waitForRedis(redis, url, 300), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /REDIS_URL/);
      assert.match(error.message, /127\.0\.0\.1:6399/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
    // ioredis itself listens for 'ready' while it reconnects (its connectionReadyHandler): not ours.
    const ours = redis.listeners('ready').filter((listener) => listener.name !== 'connectionReadyHandler');
    assert.equal(ours.length, 0, 'the wait leaves no listener behind');
  } finally {
    redis.disconnect();
  }
});

test('credentials are stripped from a Redis URL', () => {
  assert.equal(withoutCredentials('rediss://u:p@cache:6380/2'), 'rediss://cache:6380/2');
  assert.equal(withoutCredentials('not a url'), '(unparseable URL)');
});

test('a reachable Redis passes the wait', { skip: !process.env.REDIS_URL }, async () => {
  const url = process.env.REDIS_URL!;
  const redis = connectRedis(url);
  try {
    await waitForRedis(redis, url);
    assert.equal(redis.status, 'ready');
  } finally {
    redis.disconnect();
  }
});

test('tickBatched: one tick’s commands share a pipeline, each caller gets its own result or error', {
  skip: !process.env.REDIS_URL,
}, async () => {
  const redis = connectRedis(process.env.REDIS_URL!);
  const prefix = `tick-batched-${process.pid}-${Date.now()}`;
  try {
    await waitForRedis(redis, process.env.REDIS_URL!);
    const send = tickBatched(redis);
    let pipelines = 0;
    const pipeline = redis.pipeline.bind(redis);
    redis.pipeline = ((...args: Parameters<typeof pipeline>) => {
      pipelines += 1;
      return pipeline(...args);
    }) as typeof redis.pipeline;
    await redis.set(`${prefix}:text`, 'not a number');
    // Three commands in one tick: one pipeline; the one that fails fails alone.
    const [first, wrong, second] = await Promise.allSettled([
      send<number>((r) => r.incr(`${prefix}:n`)),
      send<number>((r) => r.incr(`${prefix}:text`)),
      send<number>((r) => r.incr(`${prefix}:n`)),
    ]);
    assert.deepEqual(first, { status: 'fulfilled', value: 1 });
    assert.deepEqual(second, { status: 'fulfilled', value: 2 });
    assert.equal(wrong?.status, 'rejected');
    assert.match(String((wrong as PromiseRejectedResult).reason), /not an integer/);
    assert.equal(pipelines, 1);
    // A lone command goes as itself, no pipeline.
    assert.equal(await send<number>((r) => r.incr(`${prefix}:n`)), 3);
    assert.equal(pipelines, 1);
  } finally {
    await redis.del(`${prefix}:n`, `${prefix}:text`);
    redis.disconnect();
  }
});
