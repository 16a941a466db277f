/**
 * Inbound processing in scale mode: a server and ONE worker process on PostgreSQL + Redis.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 \
 *     node --import tsx bench/src/webhook-processing.ts [--burst 20000] [--rate 1000] [--seconds 30]
 *
 * 1. Throughput: --burst webhooks (one inbound message each) posted as fast as the server takes them
 *    while no worker runs (a backlog, as after an outage); then the worker starts, and messages stored
 *    per second are counted from its first batch (the rows' created_at) to the last row seen, so the
 *    processing is measured alone, not the intake (it has its own benchmark) or the worker's boot.
 * 2. Latency: an open-loop 1,000 webhooks/s for --seconds, after --warmup seconds at the same rate on
 *    the same connections (not measured: Meta keeps its connections, and the worker's switch from the
 *    burst to a steady trickle is a cold start, not the steady state); per message, the time from the
 *    POST's intended send time to when it is readable: the worker's `message.received` event, which it
 *    publishes after the commit (the row's `created_at`, the start of its transaction, is reported too).
 *    The p99 of each second shows whether the tail is spread out or a few stalls.
 */
import http from 'node:http';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { numberArg } from './lib/args.js';
import { insertBenchChannel, signedInboundText } from './lib/inbound-payload.js';
import { ConnectionPool, openLoop, p99PerSecond, percentile } from './lib/open-loop.js';
import { machine, profileArgs } from './lib/processes.js';
import { startScaleStack } from './lib/scale-stack.js';
import { yardstick } from './lib/yardstick.js';

const burst = numberArg('burst', 20_000);
const rate = numberArg('rate', 1000);
const seconds = numberArg('seconds', 30);
const warmupSeconds = numberArg('warmup', 5);
const sender = (n: number) => `1650555${String(n % 500).padStart(4, '0')}`;

async function waitForCount(
  db: pg.Client,
  prefix: string,
  count: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query('select count(*)::int as n from messages where wamid like $1', [
      `${prefix}%`,
    ]);
    if (rows[0].n >= count) return Date.now();
    if (Date.now() > deadline)
      throw new Error(`only ${rows[0].n} of ${count} messages after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main() {
  const speedBefore = await yardstick();
  const stack = await startScaleStack({ keyPrefix: 'benchp' });
  const { db, appSecret } = stack;
  try {
    const server = await stack.server();
    await insertBenchChannel(db, 'ws_bench', 'b');
    const url = `${server.url}/webhooks/whatsapp`;

    // 1. Burst throughput.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const started = Date.now();
    let next = 0;
    const post = () =>
      new Promise<void>((resolve, reject) => {
        const n = next++;
        const { body, headers } = signedInboundText(appSecret, `wamid.burst.${n}`, sender(n), `burst ${n}`);
        const req = http.request(
          {
            agent,
            host: '127.0.0.1',
            port: server.port,
            path: '/webhooks/whatsapp',
            method: 'POST',
            headers,
          },
          (res) => {
            res.resume();
            res.on('end', () =>
              res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < burst) await post();
      }),
    );
    const posted = Date.now();
    agent.destroy();
    // BENCH_PROFILE_DIR=/tmp/x writes CPU profiles of the server and the worker there.
    stack.worker(profileArgs());
    const finished = await waitForCount(db, 'wamid.burst.', burst, 600_000);
    const { rows: first } = await db.query(
      `select extract(epoch from min(created_at)) * 1000 as at from messages where wamid like 'wamid.burst.%'`,
    );
    const processingMs = finished - Number(first[0].at);

    // 2. Latency at a fixed rate, after a warm-up at that rate.
    const pool = new ConnectionPool(url);
    const warmup = await openLoop({
      url,
      pool,
      rate,
      seconds: warmupSeconds,
      request: (i) => signedInboundText(appSecret, `wamid.warm.${i}`, sender(i), `warm-up ${i}`),
    });
    await waitForCount(db, 'wamid.warm.', warmup.sent, 120_000);
    const intended = new Map<string, number>();
    const epochOffset = Date.now() - performance.now();
    const announced = new Map<string, number>();
    const subscriber = new Redis(stack.redisUrl);
    await subscriber.subscribe(`${stack.redisKeyPrefix}:events:message.received`);
    subscriber.on('message', (_channel: string, raw: string) => {
      announced.set((JSON.parse(raw) as { messageId: string }).messageId, epochOffset + performance.now());
    });
    const fixed = await openLoop({
      url,
      pool,
      rate,
      seconds,
      request: (i) => {
        const wamid = `wamid.lat.${i}`;
        intended.set(wamid, epochOffset + performance.now());
        return signedInboundText(appSecret, wamid, sender(i), `latency ${i}`);
      },
    });
    pool.close();
    await waitForCount(db, 'wamid.lat.', fixed.sent, 120_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    subscriber.disconnect();
    const { rows } = await db.query(
      `select id, wamid, extract(epoch from created_at) * 1000 as created from messages where wamid like 'wamid.lat.%'`,
    );
    const sorted = (values: number[]) => new Float64Array(values.filter((v) => !Number.isNaN(v))).sort();
    const untilAnnounced = rows.map(
      (row) => (announced.get(row.id) ?? Number.NaN) - (intended.get(row.wamid) ?? Number.NaN),
    );
    const bySecond: number[][] = Array.from({ length: Math.ceil(seconds) }, () => []);
    rows.forEach((row, i) => {
      const second = Math.floor(Number(String(row.wamid).slice('wamid.lat.'.length)) / rate);
      const latency = untilAnnounced[i]!;
      if (!Number.isNaN(latency)) bySecond[second]?.push(latency);
    });
    const latencies = sorted(untilAnnounced);
    const untilCreated = sorted(
      rows.map((row) => Number(row.created) - (intended.get(row.wamid) ?? Number.NaN)),
    );

    const speedAfter = await yardstick();
    console.log(
      JSON.stringify(
        {
          machine: machine(),
          date: new Date().toISOString().slice(0, 10),
          // A bare Fastify route's requests/s before and after the run: how fast the machine was.
          yardstickRps: [speedBefore, speedAfter],
          burst: {
            webhooks: burst,
            postSeconds: (posted - started) / 1000,
            processingSeconds: processingMs / 1000,
            storedPerSecond: Math.round(burst / (processingMs / 1000)),
          },
          latency: {
            rate,
            seconds,
            warmupSeconds,
            achievedRate: Math.round(fixed.achievedRate),
            ackP99: percentile(fixed.latencies, 99),
            readableP50: percentile(latencies, 50),
            readableP99: percentile(latencies, 99),
            readableMax: percentile(latencies, 100),
            readableP99BySecond: p99PerSecond(bySecond).map((ms) => Math.round(ms)),
            unannounced: untilAnnounced.filter(Number.isNaN).length,
            createdAtP50: percentile(untilCreated, 50),
            createdAtP99: percentile(untilCreated, 99),
          },
        },
        null,
        2,
      ),
    );
  } finally {
    await stack.stop();
  }
}

await main();
