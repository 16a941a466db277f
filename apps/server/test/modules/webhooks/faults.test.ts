import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Socket } from 'node:net';
import { test } from 'node:test';
import { metaJsonStringify, signBody } from '@openwaba/cloud-api';
import pg from 'pg';
import { createTestDatabase, scaleMode } from '../../helpers/environment.js';
import { freePort, spawnMain, waitForOk } from '../../helpers/process.js';

/**
 * Principle 1 under fire: 10,000 webhooks are posted while the worker is killed (-9) and Redis is
 * killed and restarted. Every acknowledged event must end up processed exactly once. Runs in scale
 * mode against a private Redis (so other test files keep theirs) and a fresh database.
 */
const TOTAL = 10_000;
const PHONE_NUMBER_ID = '106540352242922';

function startRedis(port: number): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
}

async function redisUp(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error('redis did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('worker kill -9 and a Redis restart mid-run lose and double nothing', {
  skip: !scaleMode,
  timeout: 240_000,
}, async () => {
  const database = await createTestDatabase();
  const redisPort = await freePort();
  let redis = startRedis(redisPort);
  const appSecret = randomBytes(16).toString('hex');
  const env = {
    DATABASE_URL: database.url!,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    REDIS_KEY_PREFIX: 'faults',
    META_APP_SECRET: appSecret,
    TOKEN_MASTER_KEY: randomBytes(32).toString('base64'),
    SWEEP_INTERVAL_SECONDS: '1',
    REDISPATCH_AFTER_SECONDS: '2',
    LOG_LEVEL: 'error',
  };
  const port = await freePort();
  const processes: { stop(): Promise<void> }[] = [];
  const db = new pg.Client({ connectionString: database.url });
  try {
    await redisUp(redisPort);
    const server = spawnMain('server', { ...env, PORT: String(port) });
    processes.push(server);
    await waitForOk(`http://127.0.0.1:${port}/ready`, 30_000, server);
    await db.connect();
    await db.query(
      `insert into wabas (id, workspace_id, external_id) values ('waba_f', 'ws_faults', '102290129340398')`,
    );
    await db.query(
      `insert into channels (id, workspace_id, waba_id, phone_number_id, status) values ('ch_f', 'ws_faults', 'waba_f', $1, 'connected')`,
      [PHONE_NUMBER_ID],
    );
    let worker = spawnMain('worker', { ...env, METRICS_PORT: '0' });
    processes.push(worker);

    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const post = (n: number) =>
      new Promise<number>((resolve) => {
        const body = metaJsonStringify({
          object: 'whatsapp_business_account',
          entry: [
            {
              id: '102290129340398',
              changes: [
                {
                  field: 'messages',
                  value: {
                    messaging_product: 'whatsapp',
                    metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
                    contacts: [
                      {
                        profile: { name: `Customer ${n % 50}` },
                        wa_id: `1650555${String(n % 50).padStart(4, '0')}`,
                      },
                    ],
                    messages: [
                      {
                        from: `1650555${String(n % 50).padStart(4, '0')}`,
                        id: `wamid.fault.${n}`,
                        timestamp: '1764300000',
                        type: 'text',
                        text: { body: `message ${n}` },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        });
        const req = http.request(
          {
            agent,
            host: '127.0.0.1',
            port,
            path: '/webhooks/whatsapp',
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, appSecret) },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.end(body);
      });

    // Meta retries anything not answered 200; so does this sender.
    let next = 0;
    let acknowledged = 0;
    const sendAll = async () => {
      for (;;) {
        const n = next++;
        if (n >= TOTAL) return;
        while ((await post(n)) !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
        acknowledged++;
      }
    };
    const senders = Array.from({ length: 32 }, sendAll);

    while (acknowledged < 3_000) await new Promise((resolve) => setTimeout(resolve, 20));
    worker.child.kill('SIGKILL');
    await worker.exited;
    redis.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 500));
    redis = startRedis(redisPort);
    await redisUp(redisPort);
    worker = spawnMain('worker', { ...env, METRICS_PORT: '0' });
    processes.push(worker);

    await Promise.all(senders);
    agent.destroy();
    assert.equal(acknowledged, TOTAL);

    const deadline = Date.now() + 180_000;
    let processed = 0;
    while (Date.now() < deadline) {
      const { rows } = await db.query(
        `select count(*)::int as n from webhook_events where status = 'processed'`,
      );
      processed = rows[0].n;
      if (processed >= TOTAL) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const events = await db.query(
      `select count(*)::int as n, count(*) filter (where status <> 'processed')::int as left from webhook_events`,
    );
    assert.equal(events.rows[0].n, TOTAL, 'every acknowledged webhook was stored once');
    assert.equal(events.rows[0].left, 0, 'and processed');
    const stored = await db.query(
      `select count(*)::int as n, count(distinct wamid)::int as distinct from messages`,
    );
    assert.equal(stored.rows[0].n, TOTAL, 'exactly one message per webhook');
    assert.equal(stored.rows[0].distinct, TOTAL);
    const unread = await db.query(
      `select sum(unread_count)::int as n from conversations where workspace_id = 'ws_faults'`,
    );
    assert.equal(unread.rows[0].n, TOTAL, 'counters moved once per message');
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    redis.kill('SIGKILL');
    await db.end().catch(() => {});
    await database.drop();
  }
});
