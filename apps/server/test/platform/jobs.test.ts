import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { definePlatformJob, type PlatformModule, scheduleJob } from '../../src/platform/context.js';
import { backoffDelay } from '../../src/platform/jobs/catalog.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

// Handlers record what they saw here; each test uses its own keys.
const seen = new Map<string, number[]>();
const record = (key: string, value: number) => seen.set(key, [...(seen.get(key) ?? []), value]);
const waitFor = async (predicate: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const echo = definePlatformJob({
  name: 'test.echo',
  payload: z.object({ key: z.string(), value: z.number().int() }),
  async handle(payload) {
    record(payload.key, payload.value);
  },
});

const flaky = definePlatformJob({
  name: 'test.flaky',
  payload: z.object({ key: z.string(), failTimes: z.number().int() }),
  retry: { attempts: 3, backoff: { type: 'fixed', delayMs: 30 } },
  async handle(payload, ctx) {
    record(payload.key, ctx.run.attempt);
    if (ctx.run.attempt <= payload.failTimes) throw new Error(`planned failure ${ctx.run.attempt}`);
  },
});

const slow = definePlatformJob({
  name: 'test.slow',
  payload: z.object({ key: z.string() }),
  concurrency: 1,
  async handle(payload) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    record(payload.key, 1);
  },
});

// The first run of `test.coalescing` waits here until the test releases it.
let releaseCoalescing: () => void = () => {};
const coalescingGate = new Promise<void>((resolve) => {
  releaseCoalescing = resolve;
});
const coalescing = definePlatformJob({
  name: 'test.coalescing',
  payload: z.object({ key: z.string(), value: z.number().int() }),
  concurrency: 1,
  async handle(payload) {
    record(payload.key, payload.value);
    if (payload.value === 1) await coalescingGate;
  },
});

const tick = definePlatformJob({
  name: 'test.tick',
  payload: z.object({ key: z.string() }),
  async handle(payload) {
    record(payload.key, Date.now());
  },
});

// Released by the test once the retry of `test.retry-now` is running.
let releaseRetry: () => void = () => {};
const retryGate = new Promise<void>((resolve) => {
  releaseRetry = resolve;
});
const retryNow = definePlatformJob({
  name: 'test.retry-now',
  payload: z.object({ key: z.string() }),
  retry: { attempts: 2, backoff: { type: 'fixed', delayMs: 0 } },
  async handle(payload, ctx) {
    record(payload.key, ctx.run.attempt);
    if (ctx.run.attempt === 1) throw new Error('planned failure');
    await retryGate;
  },
});

let sweeps = 0;
const testModule: PlatformModule = {
  name: 'jobs-test',
  jobs: [echo, flaky, slow, tick, retryNow, coalescing],
  schedules: [
    scheduleJob(tick, { id: 'test.tick.every-second', cron: '* * * * * *', payload: { key: 'tick' } }),
  ],
  sweepers: [
    {
      name: 'test.counter',
      async sweep() {
        sweeps++;
        return 0;
      },
    },
  ],
};

let t: TestApp;
before(async () => {
  t = await createTestApp({ modules: [testModule], env: { SWEEP_INTERVAL_SECONDS: '1' } });
});
after(async () => {
  await t.close();
});

test(`jobs run with their typed payload`, async () => {
  await t.platform.jobs.enqueue(echo, { key: 'run', value: 7 });
  await waitFor(() => (seen.get('run') ?? []).length === 1);
  assert.deepEqual(seen.get('run'), [7]);
});

test('a payload that breaks the schema is refused at enqueue', async () => {
  await assert.rejects(() => t.platform.jobs.enqueue(echo, { key: 'bad', value: 1.5 }));
  await assert.rejects(() =>
    t.platform.jobs.enqueue(echo, { key: 'bad' } as unknown as { key: string; value: number }),
  );
  assert.equal(seen.get('bad'), undefined);
});

test('a failing job retries by its policy and then succeeds', async () => {
  await t.platform.jobs.enqueue(flaky, { key: 'retry', failTimes: 2 });
  await waitFor(() => (seen.get('retry') ?? []).length === 3);
  assert.deepEqual(seen.get('retry'), [1, 2, 3]);
});

test('a job that keeps failing stops after its attempts and is counted as failed', async () => {
  await t.platform.jobs.enqueue(flaky, { key: 'dead', failTimes: 99 });
  await waitFor(() => (seen.get('dead') ?? []).length === 3);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(seen.get('dead'), [1, 2, 3], 'no fourth attempt');
  const metrics = await t.platform.metrics.registry.metrics();
  assert.match(metrics, /jobs_total\{job="test.flaky",outcome="failed"\} 1/);
  assert.match(metrics, /jobs_total\{job="test.flaky",outcome="retried"\} [4-9]/);
});

test('coalesced jobs: one waits per key, and enqueues during a run make one follow-up with the last payload', async () => {
  const enqueue = (value: number, key: string) =>
    t.platform.jobs.enqueue(coalescing, { key: 'co', value }, { coalesce: key });
  await enqueue(1, 'a');
  await waitFor(() => (seen.get('co') ?? []).length === 1);
  // 'a' runs (and holds the one slot): these two make a single follow-up, carrying 3.
  await enqueue(2, 'a');
  await enqueue(3, 'a');
  // Nothing of 'b' runs: the first waits, and the second is dropped while it does.
  await enqueue(4, 'b');
  await enqueue(5, 'b');
  releaseCoalescing();
  await t.platform.jobs.idle();
  assert.deepEqual(
    [...(seen.get('co') ?? [])].sort((x, y) => x - y),
    [1, 3, 4],
  );
  // Once a key has nothing waiting or running, the next enqueue runs again.
  await enqueue(6, 'a');
  await t.platform.jobs.idle();
  assert.equal(seen.get('co')?.at(-1), 6);
});

test('a job id dedupes while the job is still pending', async () => {
  await t.platform.jobs.enqueue(slow, { key: 'dedupe' }, { jobId: 'same-row' });
  await t.platform.jobs.enqueue(slow, { key: 'dedupe' }, { jobId: 'same-row' });
  await t.platform.jobs.enqueue(slow, { key: 'dedupe' }, { jobId: 'same-row' });
  await waitFor(() => (seen.get('dedupe') ?? []).length >= 1);
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(seen.get('dedupe')?.length, 1);
  // Once done, the same id may be dispatched again (a sweeper re-dispatching a row).
  await t.platform.jobs.enqueue(slow, { key: 'dedupe' }, { jobId: 'same-row' });
  await waitFor(() => (seen.get('dedupe') ?? []).length === 2);
});

test('a zero-delay retry keeps its job id pending, so the id still dedupes', async () => {
  await t.platform.jobs.enqueue(retryNow, { key: 'retry-now' }, { jobId: 'retry-now-row' });
  await waitFor(() => (seen.get('retry-now') ?? []).length === 2);
  // The retry (attempt 2) is running: the same id must not start a second run beside it.
  await t.platform.jobs.enqueue(retryNow, { key: 'retry-now' }, { jobId: 'retry-now-row' });
  releaseRetry();
  await t.platform.jobs.idle();
  assert.deepEqual(seen.get('retry-now'), [1, 2]);
});

test('a delayed job waits its delay', async () => {
  const start = Date.now();
  await t.platform.jobs.enqueue(tick, { key: 'delayed' }, { delayMs: 300 });
  await waitFor(() => (seen.get('delayed') ?? []).length === 1);
  assert.ok(seen.get('delayed')![0]! - start >= 280, 'ran no earlier than its delay');
});

test('repeating schedules fire and sweepers run on the sweep schedule', async () => {
  await waitFor(() => (seen.get('tick') ?? []).length >= 2 && sweeps >= 2, 8_000);
  // A stalled event loop may fire a late tick right before the next one: some gap must be a second.
  const ticks = seen.get('tick')!;
  const gaps = ticks.slice(1).map((at, i) => at - ticks[i]!);
  assert.ok(Math.max(...gaps) >= 500, `ticks are about a second apart (gaps ${gaps.join(', ')} ms)`);
});

test('queue depth is reported per job', async () => {
  const counts = await t.platform.jobs.counts();
  for (const name of ['test.echo', 'test.flaky', 'test.slow', 'test.tick', 'platform.sweep']) {
    assert.ok(counts[name], `counts for ${name}`);
  }
});

test('exponential backoff doubles from its base delay', () => {
  const policy = { attempts: 5, backoff: { type: 'exponential' as const, delayMs: 1000 } };
  assert.deepEqual(
    [1, 2, 3, 4].map((attempt) => backoffDelay(policy, attempt)),
    [1000, 2000, 4000, 8000],
  );
});

test("a job id with ':' is refused in both drivers (BullMQ reserves it)", async () => {
  await assert.rejects(() => t.platform.jobs.enqueue(echo, { key: 'colon', value: 1 }, { jobId: 'media:1' }));
  assert.equal(seen.get('colon'), undefined);
});

test('enqueueMany dispatches every job of a batch', async () => {
  await t.platform.jobs.enqueueMany(
    echo,
    [1, 2, 3].map((value) => ({ payload: { key: 'many', value }, options: { jobId: `many-${value}` } })),
  );
  await waitFor(() => (seen.get('many') ?? []).length === 3);
  assert.deepEqual([...(seen.get('many') ?? [])].sort(), [1, 2, 3]);
});
