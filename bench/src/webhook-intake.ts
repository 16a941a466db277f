/**
 * Webhook intake in scale mode (server process + PostgreSQL + Redis on this machine).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 \
 *     node --import tsx bench/src/webhook-intake.ts [--rate 3300] [--seconds 60] [--saturation-seconds 15]
 *
 * 1. Fixed arrival rate (open loop, latency from the intended send time) of signed POSTs, each a
 *    distinct inbound message, for --seconds: ack p50/p99/p99.9 and the server's peak RSS.
 * 2. Saturation: autocannon, 100 connections, distinct signed bodies, against the server.
 * 3. The same autocannon run against a bare Fastify route answering 200, for the ratio.
 * The server runs alone (role `server`): acking is what Meta measures; processing has its own benchmark.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { numberArg, scaleModeEnv } from './lib/args.js';
import { autocannon } from './lib/autocannon.js';
import { signedInboundText } from './lib/inbound-payload.js';
import { openLoop, percentile } from './lib/open-loop.js';
import { freePort, machine, rssMb, spawnTs, waitForOk } from './lib/processes.js';

const rate = numberArg('rate', 3300);
const seconds = numberArg('seconds', 60);
const saturationSeconds = numberArg('saturation-seconds', 15);
const { databaseUrl: adminUrl, redisUrl } = scaleModeEnv();

const appSecret = randomBytes(16).toString('hex');
let counter = 0;
const signedInbound = () => {
  const n = ++counter;
  return signedInboundText(appSecret, `wamid.bench.${process.pid}.${n}`, '16505551234', `Olá ${n} — café?`);
};

async function saturate(url: string) {
  const result = await autocannon({
    url,
    connections: 100,
    duration: saturationSeconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request: Record<string, unknown>) => {
          const { body, headers } = signedInbound();
          return { ...request, method: 'POST', body, headers };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function main() {
  const dbName = `owbench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;

  const port = await freePort();
  const server = spawnTs('apps/server/src/main.ts', ['server'], {
    PORT: String(port),
    DATABASE_URL: dbUrl.toString(),
    DATABASE_POOL_SIZE: '20',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `bench${process.pid}`,
    META_APP_SECRET: appSecret,
    TOKEN_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  });
  const barePort = await freePort();
  const bare = spawnTs('bench/src/lib/bare-server.ts', [], { PORT: String(barePort) });
  try {
    await waitForOk(`http://127.0.0.1:${port}/ready`);
    await waitForOk(`http://127.0.0.1:${barePort}/health`);
    const url = `http://127.0.0.1:${port}/webhooks/whatsapp`;

    // Warm-up, then the measured fixed-rate run with RSS sampling.
    await openLoop({ url, rate, seconds: 3, request: signedInbound });
    let peakRss = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssMb(server.pid!));
    }, 250);
    const fixed = await openLoop({ url, rate, seconds, request: signedInbound });
    clearInterval(sampler);

    const platform = await saturate(url);
    const baseline = await saturate(`http://127.0.0.1:${barePort}/webhooks/whatsapp`);

    const db = new pg.Client({ connectionString: dbUrl.toString() });
    await db.connect();
    const { rows } = await db.query('select count(*)::int as n from webhook_events');
    await db.end();

    const report = {
      machine: machine(),
      date: new Date().toISOString().slice(0, 10),
      fixedRate: {
        rate,
        seconds,
        achievedRate: Math.round(fixed.achievedRate),
        ok: fixed.ok,
        failed: fixed.failed,
        p50: percentile(fixed.latencies, 50),
        p99: percentile(fixed.latencies, 99),
        p999: percentile(fixed.latencies, 99.9),
        max: percentile(fixed.latencies, 100),
        peakRssMb: Math.round(peakRss),
      },
      saturation: { platform, bareFastify: baseline, ratio: platform.rps / baseline.rps },
      storedEvents: rows[0]?.n,
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    server.kill('SIGTERM');
    bare.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.end();
  }
}

await main();
