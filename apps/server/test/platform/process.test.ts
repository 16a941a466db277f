import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { migrationsFolder } from '../../src/platform/db/client.js';
import { createTestDatabase, scaleMode } from '../helpers/environment.js';
import { freePort, spawnMain, waitForOk } from '../helpers/process.js';

test('a bad PORT stops boot with a message naming PORT', async () => {
  const server = spawnMain('server', { PORT: 'abc' });
  const code = await server.exited;
  assert.equal(code, 1);
  assert.match(server.output(), /PORT/);
  assert.doesNotMatch(server.output(), /OpenWABA .* is up/);
});

test('an unknown role is refused', async () => {
  const server = spawnMain('janitor', {});
  assert.equal(await server.exited, 1);
  assert.match(server.output(), /role/);
});

test('embedded mode (`all`) serves /health and /ready with no services', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'owaba-embedded-'));
  const [port, simPort] = [await freePort(), await freePort()];
  const server = spawnMain('all', { PORT: String(port), GRAPH_SIM_PORT: String(simPort), DATA_DIR: dataDir });
  try {
    await waitForOk(`http://127.0.0.1:${port}/health`, 45_000, server);
    await waitForOk(`http://127.0.0.1:${port}/ready`, 5_000, server);
    const deadline = Date.now() + 10_000;
    while (!/Demo login/.test(server.output()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    assert.match(server.output(), new RegExp(`up at http://127.0.0.1:${port}`));
    assert.match(server.output(), /Demo login: demo@openwaba\.local \/ \S+/, 'a demo login is printed');
    const home = await fetch(`http://127.0.0.1:${port}/inbox`, { headers: { accept: 'text/html' } });
    assert.equal(home.status, 200, 'client-side routes are served the web app');
    const sim = await fetch(`http://127.0.0.1:${simPort}/v23.0/me`);
    assert.ok(sim.status >= 400 && sim.status < 500, 'the in-process simulator answers Graph paths');
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('two servers and a worker started together on one PostgreSQL all come up; migrations ran once', {
  skip: !scaleMode,
}, async () => {
  const database = await createTestDatabase();
  const ports = [await freePort(), await freePort()];
  const env = {
    DATABASE_URL: database.url!,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `tproc${process.pid}`,
    TOKEN_MASTER_KEY: randomBytes(32).toString('hex'),
  };
  const processes = [
    spawnMain('server', { ...env, PORT: String(ports[0]) }),
    spawnMain('server', { ...env, PORT: String(ports[1]) }),
    spawnMain('worker', { ...env, METRICS_PORT: '0' }),
  ];
  try {
    for (const port of ports) await waitForOk(`http://127.0.0.1:${port}/ready`, 30_000, processes[0]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(processes[2]!.child.exitCode, null, `worker still running:\n${processes[2]!.output()}`);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      assert.equal(rows[0].n, readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).length);
    } finally {
      await client.end();
    }
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await database.drop();
  }
});

test('scale mode refuses a Redis whose eviction policy could drop jobs', { skip: !scaleMode }, async () => {
  const { spawn } = await import('node:child_process');
  const redisPort = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--maxmemory-policy', 'allkeys-lru'],
    {
      stdio: 'ignore',
    },
  );
  const database = await createTestDatabase();
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const server = spawnMain('server', {
      DATABASE_URL: database.url!,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      TOKEN_MASTER_KEY: randomBytes(32).toString('hex'),
      PORT: String(await freePort()),
    });
    assert.equal(await server.exited, 1);
    assert.match(server.output(), /maxmemory-policy is "allkeys-lru".*noeviction/s);
  } finally {
    redis.kill('SIGKILL');
    await database.drop();
  }
});

test('scale mode stops boot when Redis is unreachable, naming REDIS_URL', { skip: !scaleMode }, async () => {
  const database = await createTestDatabase();
  try {
    const server = spawnMain('server', {
      DATABASE_URL: database.url!,
      REDIS_URL: `redis://owaba:hunter2@127.0.0.1:${await freePort()}`,
      TOKEN_MASTER_KEY: randomBytes(32).toString('hex'),
      PORT: String(await freePort()),
    });
    assert.equal(await server.exited, 1);
    assert.match(server.output(), /REDIS_URL.*not reachable/);
    assert.doesNotMatch(server.output(), /hunter2/);
  } finally {
    await database.drop();
  }
});
