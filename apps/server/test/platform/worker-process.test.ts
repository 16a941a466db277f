import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTestDatabase, scaleMode } from '../helpers/environment.js';
import { freePort, spawnMain, waitForOk } from '../helpers/process.js';

/*
 * The worker role's own listener (METRICS_PORT), in real processes. Kept apart from process.test.ts:
 * the test runner gives each file 120 s, and worker boots there would push that file past it.
 */

/** A worker's environment in the run's mode: a fresh PostgreSQL + Redis, or PGlite in a temp dir. */
async function workerEnv(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'owaba-worker-'));
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    TOKEN_MASTER_KEY: randomBytes(32).toString('hex'),
    SWEEP_INTERVAL_SECONDS: '1',
    ...(database.url
      ? {
          DATABASE_URL: database.url,
          REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
          REDIS_KEY_PREFIX: `twrk${randomBytes(4).toString('hex')}`,
        }
      : {}),
  };
  return {
    env,
    async cleanup() {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

test('a worker serves /health, /ready and /metrics on METRICS_PORT, with job outcomes per job name', async () => {
  const { env, cleanup } = await workerEnv();
  const metricsPort = await freePort();
  const base = `http://127.0.0.1:${metricsPort}`;
  const worker = spawnMain('worker', { ...env, METRICS_PORT: String(metricsPort) });
  try {
    await waitForOk(`${base}/health`, 60_000, worker);
    const ready = await fetch(`${base}/ready`);
    assert.equal(ready.status, 200);
    const checks = scaleMode ? { database: 'ok', redis: 'ok' } : { database: 'ok' };
    assert.deepEqual(await ready.json(), { status: 'ready', checks });

    // The sweep runs every second; once it has run, its outcome is counted under its job name.
    const sweepCompleted = /^jobs_total\{job="platform\.sweep",outcome="completed"\} [1-9]/m;
    let text = '';
    for (const deadline = Date.now() + 20_000; !sweepCompleted.test(text) && Date.now() < deadline; ) {
      const res = await fetch(`${base}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      text = await res.text();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.match(text, sweepCompleted, text);
    assert.match(text, /^queue_depth\{job="platform\.sweep",state="waiting"\} \d+/m);
    assert.match(text, /^job_duration_seconds_count\{job="platform\.sweep"\} [1-9]/m);

    const api = await fetch(`${base}/api/openapi.json`);
    assert.equal(api.status, 404, 'the ops listener serves nothing but probes and metrics');
    assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'not_found');

    await worker.stop();
    assert.equal(worker.child.exitCode, 0, `SIGTERM shuts down cleanly:\n${worker.output()}`);
    await assert.rejects(fetch(`${base}/health`), 'the listener is gone');
  } finally {
    await worker.stop();
    await cleanup();
  }
});

// Scale mode only: the behaviour does not depend on the mode, and a second PGlite boot in embedded mode
// would spend much of this file's time budget.
test('a worker whose METRICS_PORT is taken logs it and keeps running', { skip: !scaleMode }, async () => {
  const { env, cleanup } = await workerEnv();
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  const address = squatter.address();
  const taken = typeof address === 'object' && address ? address.port : 0;
  const worker = spawnMain('worker', { ...env, METRICS_PORT: String(taken) });
  try {
    const deadline = Date.now() + 60_000;
    while (!/metrics listener not started/.test(worker.output()) && Date.now() < deadline) {
      if (worker.child.exitCode !== null) assert.fail(`worker exited:\n${worker.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(worker.output(), /metrics listener not started.*METRICS_PORT/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(worker.child.exitCode, null, `worker still running:\n${worker.output()}`);
  } finally {
    await worker.stop();
    squatter.close();
    await cleanup();
  }
});
