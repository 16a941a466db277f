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
import { numberArg } from './lib/args.js';
import { autocannon } from './lib/autocannon.js';
import { signedInboundText } from './lib/inbound-payload.js';
import { ConnectionPool, openLoop, p99PerSecond, percentile } from './lib/open-loop.js';
import { freePort, machine, rssMb, spawnTs, waitForOk } from './lib/processes.js';
import { startScaleStack } from './lib/scale-stack.js';

const rate = numberArg('rate', 3300);
const seconds = numberArg('seconds', 60);
const saturationSeconds = numberArg('saturation-seconds', 15);

type Request = () => { body: string; headers: Record<string, string> };
let counter = 0;
/** Signed POSTs with the given app secret, each a distinct inbound message. */
const signedInbound =
  (appSecret: string): Request =>
  () => {
    const n = ++counter;
    return signedInboundText(appSecret, `wamid.bench.${process.pid}.${n}`, '16505551234', `Olá ${n} — café?`);
  };

async function saturate(url: string, next: Request) {
  const result = await autocannon({
    url,
    connections: 100,
    duration: saturationSeconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request: Record<string, unknown>) => {
          const { body, headers } = next();
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
  const stack = await startScaleStack({ keyPrefix: 'bench' });
  const signed = signedInbound(stack.appSecret);
  const barePort = await freePort();
  const bare = spawnTs('bench/src/lib/bare-server.ts', [], { PORT: String(barePort) });
  try {
    const server = await stack.server();
    await waitForOk(`http://127.0.0.1:${barePort}/health`);
    const url = `${server.url}/webhooks/whatsapp`;

    // Warm-up, then the measured fixed-rate run with RSS sampling, on the same keep-alive connections
    // (Meta's delivery keeps its connections open too).
    const pool = new ConnectionPool(url);
    await openLoop({ url, pool, rate, seconds: 3, request: signed });
    let peakRss = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssMb(server.process.pid!));
    }, 250);
    const bySecond: number[][] = Array.from({ length: seconds }, () => []);
    const fixed = await openLoop({
      url,
      rate,
      seconds,
      request: signed,
      pool,
      onResponse: (i, _status, latencyMs) => bySecond[Math.floor(i / rate)]?.push(latencyMs),
    });
    pool.close();
    clearInterval(sampler);

    const platform = await saturate(url, signed);
    const baseline = await saturate(`http://127.0.0.1:${barePort}/webhooks/whatsapp`, signed);

    const { rows } = await stack.db.query('select count(*)::int as n from webhook_events');

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
        p99PerSecondMs: p99PerSecond(bySecond).map(Math.round),
      },
      saturation: { platform, bareFastify: baseline, ratio: platform.rps / baseline.rps },
      storedEvents: rows[0]?.n,
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    bare.kill('SIGTERM');
    await stack.stop();
  }
}

await main();
