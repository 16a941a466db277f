import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { scaleMode } from '../helpers/environment.js';

let t: TestApp;
before(async () => {
  t = await createTestApp({ modules: [] });
});
after(async () => {
  await t.close();
});

test('the limiter allows its points, then refuses with a retry time', async () => {
  const limiter = t.platform.rateLimits.limiter({ name: 'test:burst', points: 3, durationSeconds: 60 });
  const decisions = [];
  for (let i = 0; i < 4; i++) decisions.push(await limiter.consume('ws_a'));
  assert.deepEqual(
    decisions.map((d) => d.allowed),
    [true, true, true, false],
  );
  const refused = decisions[3]!;
  assert.ok(!refused.allowed && refused.retryAfterMs > 0 && refused.retryAfterMs <= 60_000);
  assert.equal(t.platform.rateLimits.kind, t.config.mode === 'scale' ? 'redis' : 'memory');
});

test('keys are counted apart: one tenant cannot spend another tenant’s points', async () => {
  const limiter = t.platform.rateLimits.limiter({ name: 'test:tenants', points: 2, durationSeconds: 60 });
  await limiter.consume('ws_noisy', 2);
  assert.equal((await limiter.consume('ws_noisy')).allowed, false);
  assert.equal((await limiter.consume('ws_quiet')).allowed, true);
});

test('reset forgets a key', async () => {
  const limiter = t.platform.rateLimits.limiter({ name: 'test:reset', points: 1, durationSeconds: 60 });
  await limiter.consume('acct');
  assert.equal((await limiter.consume('acct')).allowed, false);
  await limiter.reset('acct');
  assert.equal((await limiter.consume('acct')).allowed, true);
});

test('points come back after the window', async () => {
  const limiter = t.platform.rateLimits.limiter({ name: 'test:window', points: 1, durationSeconds: 1 });
  assert.equal((await limiter.consume('k')).allowed, true);
  assert.equal((await limiter.consume('k')).allowed, false);
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  assert.equal((await limiter.consume('k')).allowed, true);
});

test('scale mode: an exhausted key is refused from memory, without a Redis call per request', {
  skip: !scaleMode,
}, async () => {
  const limiter = t.platform.rateLimits.limiter({ name: 'test:flood', points: 2, durationSeconds: 60 });
  await limiter.consume('ws_flood', 2);
  // The counter vanishes from Redis behind the limiter's back: were it asked, it would allow again.
  const keys = await t.platform.redis!.keys(`${t.config.redis.keyPrefix}:rl:test:flood*`);
  assert.ok(keys.length > 0, 'the counter lives in Redis');
  await t.platform.redis!.del(...keys);
  const refused = await limiter.consume('ws_flood');
  assert.equal(refused.allowed, false);
  assert.ok(!refused.allowed && refused.retryAfterMs > 0 && refused.retryAfterMs <= 60_000);
  assert.equal((await limiter.consume('ws_other')).allowed, true, 'other keys still count in Redis');
});
