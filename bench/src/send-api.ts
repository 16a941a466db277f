/**
 * The send API under load, scale mode: one `server` process on PostgreSQL + Redis.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 \
 *     npm run bench:send-api -- [--rate 500] [--seconds 20] [--warmup 5] [--quiet-rate 100] [--flood-rate 167]
 *
 * 1. `POST /api/v1/workspaces/:id/messages` (text, inside the customer-service window, API key) open-loop
 *    at --rate for --seconds: answer latency from each request's intended send time (target p99 < 30 ms).
 * 2. Noisy neighbour: a quiet workspace sends at --quiet-rate, in 5 s blocks that alternate between alone
 *    and while a second workspace (plan 1,000 messages/min, already spent) floods at --flood-rate, 10× its
 *    plan limit, and is answered 429; --seconds of each in all. The quiet workspace's p99 may move by at
 *    most 20%. `--quiet-rate 0` skips this phase.
 * 3. The plan-limit check alone (rate-limiter-flexible on Redis, as the send path uses it): p99 per check.
 * No worker runs: the messages stay queued, which is all the API's answer depends on.
 * BENCH_PROFILE_DIR=/tmp/x writes a CPU profile of the server there; DATABASE_POOL_SIZE and
 * BENCH_LOG_LEVEL (info logs each request's server-side time) pass through to the server.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig } from '../../apps/server/src/config.js';
import { insertApiKey, insertUser } from '../../apps/server/src/modules/identity/identity.repository.js';
import { tokenHash } from '../../apps/server/src/modules/identity/secrets.js';
import { modules } from '../../apps/server/src/modules/index.js';
import { createWorkspace } from '../../apps/server/src/modules/workspaces/workspaces.service.js';
import { API_KEY_PREFIX, systemActor } from '../../apps/server/src/platform/http/auth.js';
import { newId } from '../../apps/server/src/platform/ids.js';
import { createPlatform, type RunningPlatform } from '../../apps/server/src/platform/platform.js';
import { redisRateLimits } from '../../apps/server/src/platform/ratelimit/rate-limits.js';
import { numberArg, scaleModeEnv } from './lib/args.js';
import { ConnectionPool, type OpenLoopResult, openLoop, p99PerSecond, percentile } from './lib/open-loop.js';
import { freePort, machine, profileArgs, spawnTs, waitForOk } from './lib/processes.js';
import { dropRedisPrefix, scratchDatabase } from './lib/scale-stack.js';
import { yardstick } from './lib/yardstick.js';

const rate = numberArg('rate', 500);
const seconds = numberArg('seconds', 20);
const warmupSeconds = numberArg('warmup', 5);
const quietRate = numberArg('quiet-rate', 100);
const floodRate = numberArg('flood-rate', 167);
const { databaseUrl: adminUrl, redisUrl } = scaleModeEnv();
const CONTACTS = 2_000;

interface Tenant {
  workspaceId: string;
  channelId: string;
  apiKey: string;
}

/** A workspace with a connected number, an API key and CONTACTS customers who wrote a minute ago. */
async function seedTenant(
  platform: RunningPlatform,
  databaseUrl: string,
  name: string,
  limits: { plan: string; perMinute?: number },
) {
  {
    const owner = await insertUser(platform.db, {
      id: newId('user'),
      email: `${name}@bench.test`,
      name,
      passwordHash: 'unused',
    });
    const workspace = await createWorkspace(platform.db, systemActor('bench'), {
      name,
      ownerUserId: owner!.id,
    });
    const apiKey = `${API_KEY_PREFIX}${randomBytes(24).toString('hex')}`;
    await insertApiKey(platform.db, workspace.id, {
      id: newId('apiKey'),
      name: 'bench',
      role: 'manager',
      prefix: apiKey.slice(0, API_KEY_PREFIX.length + 8),
      keyHash: tokenHash(apiKey),
    });
    const channelId = newId('channel');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`update workspaces set plan = $2, limit_overrides = $3 where id = $1`, [
      workspace.id,
      limits.plan,
      limits.perMinute ? { messagesPerMinute: limits.perMinute } : null,
    ]);
    // The sender needs a sealed token to pass the channel check; no worker ever uses it here.
    const tokenSecretId = await platform.vault.put(platform.db, workspace.id, 'waba_token', 'EAAbench');
    await client.query(
      `insert into wabas (id, workspace_id, external_id, token_secret_id) values ($1, $2, $3, $4)`,
      [`waba_${name}`, workspace.id, `9${Math.floor(Math.random() * 1e9)}`, tokenSecretId],
    );
    await client.query(
      `insert into channels (id, workspace_id, waba_id, phone_number_id, status) values ($1, $2, $3, $4, 'connected')`,
      [channelId, workspace.id, `waba_${name}`, `8${Math.floor(Math.random() * 1e9)}`],
    );
    await client.query(
      `insert into contacts (id, workspace_id, wa_id, phone_e164, last_inbound_at)
       select $2 || '_' || i, $1, $3 || lpad(i::text, 6, '0'), '+' || $3 || lpad(i::text, 6, '0'), now() - interval '1 minute'
       from generate_series(1, $4::int) i`,
      [workspace.id, `ct_${name}`, name === 'quiet' ? '919800' : '919900', CONTACTS],
    );
    await client.query(
      `insert into conversations (id, workspace_id, channel_id, contact_id, last_inbound_at, last_message_at)
       select $2 || '_' || i, $1, $3, $4 || '_' || i, now() - interval '1 minute', now() - interval '1 minute'
       from generate_series(1, $5::int) i`,
      [workspace.id, `conv_${name}`, channelId, `ct_${name}`, CONTACTS],
    );
    await client.end();
    return { workspaceId: workspace.id, channelId, apiKey } satisfies Tenant;
  }
}

interface SendsResult extends OpenLoopResult {
  /** The p99 of the requests meant to leave in each second: a steady tail or a few stalls. */
  p99PerSecondMs: number[];
}

/** Keep-alive connections to a workspace's send URL, kept across its runs as an API client keeps them. */
const poolOf = (base: string, tenant: Tenant) =>
  new ConnectionPool(`${base}/api/v1/workspaces/${tenant.workspaceId}/messages`);

async function sends(
  pool: ConnectionPool,
  tenant: Tenant,
  r: number,
  s: number,
  prefix: string,
): Promise<SendsResult> {
  const bySecond: number[][] = Array.from({ length: Math.ceil(s) }, () => []);
  const result = await openLoop({
    url: pool.url,
    pool,
    rate: r,
    seconds: s,
    isOk: (status) => status === 202,
    onResponse: (i, _status, latencyMs) => bySecond[Math.floor(i / r)]?.push(latencyMs),
    request: (i) => ({
      body: JSON.stringify({
        channelId: tenant.channelId,
        type: 'text',
        to: `+${prefix}${String(1 + (i % CONTACTS)).padStart(6, '0')}`,
        text: { body: `Order ${i} is on its way` },
      }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.apiKey}` },
    }),
  });
  return { ...result, p99PerSecondMs: p99PerSecond(bySecond).map(Math.round) };
}

const summary = (result: SendsResult) => ({
  sent: result.sent,
  ok: result.ok,
  refusedOrFailed: result.failed,
  achievedRate: Math.round(result.achievedRate),
  p50: Number(percentile(result.latencies, 50).toFixed(1)),
  p99: Number(percentile(result.latencies, 99).toFixed(1)),
  max: Number(percentile(result.latencies, 100).toFixed(1)),
  p99PerSecondMs: result.p99PerSecondMs,
});

/** Seconds of one block of the noisy-neighbour phase. */
const BLOCK_SECONDS = 5;

/** Several runs as one: their latencies pooled, their per-second p99s one after the other. */
function pooled(runs: SendsResult[]): SendsResult {
  const latencies = Float64Array.from(runs.flatMap((run) => [...run.latencies])).sort();
  const sum = (pick: (run: SendsResult) => number) => runs.reduce((total, run) => total + pick(run), 0);
  return {
    sent: sum((run) => run.sent),
    ok: sum((run) => run.ok),
    failed: sum((run) => run.failed),
    latencies,
    achievedRate: sum((run) => run.achievedRate) / runs.length,
    p99PerSecondMs: runs.flatMap((run) => run.p99PerSecondMs),
  };
}

/**
 * Phase 2: the quiet workspace's p99 alone and while the noisy one floods past its spent plan, in
 * alternating blocks of BLOCK_SECONDS (--seconds of each in all). This machine's speed drifts from minute
 * to minute; one long phase of each let the drift decide the comparison, alternating blocks weigh it on
 * both sides alike.
 */
async function noisyNeighbour(base: string, quiet: Tenant, noisy: Tenant) {
  // The quiet workspace's plan is far above its rate; the noisy one's (pro, 1,000/min) is spent before each
  // flood, as after a minute of flooding at 10× its plan, so its requests are refused with 429 from the
  // first. Each flood starts a second before the quiet block and ends a second after it: its steady
  // state, not its first connections, is what the neighbour lives with.
  const blocks = Math.max(1, Math.round(seconds / BLOCK_SECONDS));
  const quietPool = poolOf(base, quiet);
  const noisyPool = poolOf(base, noisy);
  const redis = new Redis(redisUrl);
  const plan = redisRateLimits(redis, keyPrefix).limiter({
    name: 'messages:plan:1000',
    points: 1000,
    durationSeconds: 60,
  });
  const alone: SendsResult[] = [];
  const together: SendsResult[] = [];
  const floods: SendsResult[] = [];
  for (let block = 0; block < blocks; block++) {
    alone.push(await sends(quietPool, quiet, quietRate, BLOCK_SECONDS, '919800'));
    // A new minute, spent at once: it outlasts the flood, so no flood request is ever accepted.
    await plan.reset(noisy.workspaceId);
    await plan.consume(noisy.workspaceId, 1000);
    const flooding = sends(noisyPool, noisy, floodRate, BLOCK_SECONDS + 2, '919900');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    together.push(await sends(quietPool, quiet, quietRate, BLOCK_SECONDS, '919800'));
    floods.push(await flooding);
  }
  redis.disconnect();
  quietPool.close();
  noisyPool.close();
  const quietAlone = pooled(alone);
  const quietTogether = pooled(together);
  console.log(
    JSON.stringify({
      scenario: `quiet workspace alone at ${quietRate}/s (${blocks} blocks of ${BLOCK_SECONDS} s)`,
      ...summary(quietAlone),
    }),
  );
  console.log(
    JSON.stringify({
      scenario: `quiet workspace while another floods at ${floodRate}/s (the blocks in between)`,
      ...summary(quietTogether),
    }),
  );
  console.log(
    JSON.stringify({
      scenario: `the flooding workspace (plan 1,000/min)`,
      ...summary(pooled(floods)),
    }),
  );
  const p99 = (run: SendsResult) => percentile(run.latencies, 99);
  console.log(
    JSON.stringify({
      scenario: 'noisy neighbour: change of the quiet workspace p99 (target ≤ +20%)',
      changePercent: Number(((p99(quietTogether) / p99(quietAlone) - 1) * 100).toFixed(1)),
    }),
  );
}

const scratch = await scratchDatabase(adminUrl);
const dbUrl = new URL(scratch.url);
const port = await freePort();
const keyPrefix = `bench${randomBytes(3).toString('hex')}`;
const env = {
  NODE_ENV: 'production',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '10',
  DATABASE_URL: dbUrl.toString(),
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: keyPrefix,
  TOKEN_MASTER_KEY: randomBytes(32).toString('base64'),
  GRAPH_SIM: 'false',
};
const server = spawnTs('apps/server/src/main.ts', ['server'], { ...env, PORT: String(port) }, profileArgs());
let seeder: RunningPlatform | undefined;
const base = `http://127.0.0.1:${port}`;
try {
  await waitForOk(`${base}/ready`, 60_000);
  // An in-process platform with the server's configuration seals the seeded tokens (same master key).
  seeder = await createPlatform(loadConfig({ ...env, DATA_DIR: 'memory://' }), modules, { migrate: false });
  const db = dbUrl.toString();
  const busy = await seedTenant(seeder, db, 'busy', { plan: 'enterprise', perMinute: 1_000_000 });
  const quiet = await seedTenant(seeder, db, 'quiet', { plan: 'enterprise', perMinute: 1_000_000 });
  const noisy = await seedTenant(seeder, db, 'noisy', { plan: 'pro' });
  await seeder.close();
  seeder = undefined;
  // One request first: a seed or contract problem stops the run with the server's answer.
  const probe = await fetch(`${base}/api/v1/workspaces/${busy.workspaceId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${busy.apiKey}` },
    body: JSON.stringify({
      channelId: busy.channelId,
      type: 'text',
      to: '+919900000001',
      text: { body: 'probe' },
    }),
  });
  if (probe.status !== 202) throw new Error(`probe send: ${probe.status} ${await probe.text()}`);
  console.log(
    `machine: ${machine()}; date ${new Date().toISOString().slice(0, 10)}; yardstick (bare Fastify) ${await yardstick()} requests/s`,
  );
  // Warm-up at the measured rate, not measured: a fresh process's first seconds at 500/s (JIT, the pool
  // opening its connections and preparing the hot statements on each) are a cold start, not the
  // steady state the target describes. With 2 s at 50/s, the first 5 s of the run drained a backlog.
  const busyPool = poolOf(base, busy);
  await sends(busyPool, busy, rate, warmupSeconds, '919900');

  const throughput = await sends(busyPool, busy, rate, seconds, '919900');
  busyPool.close();
  console.log(JSON.stringify({ scenario: `send API at ${rate}/s, ${seconds} s`, ...summary(throughput) }));

  if (quietRate > 0) await noisyNeighbour(base, quiet, noisy);

  // The plan-limit check on its own, as the send path makes it (one Redis round trip per check).
  const redis = new Redis(redisUrl);
  const limiter = redisRateLimits(redis, `${keyPrefix}x`).limiter({
    name: 'bench:plan',
    points: 1_000_000,
    durationSeconds: 60,
  });
  const checks = new Float64Array(10_000);
  for (let i = 0; i < checks.length; i++) {
    const started = performance.now();
    await limiter.consume(`ws_${i % 50}`);
    checks[i] = performance.now() - started;
  }
  checks.sort();
  console.log(
    JSON.stringify({
      scenario: 'plan-limit check (Redis), sequential',
      checks: checks.length,
      p50: Number(percentile(checks, 50).toFixed(3)),
      p99: Number(percentile(checks, 99).toFixed(3)),
    }),
  );
  redis.disconnect();
  console.log(`yardstick after the run: ${await yardstick()} requests/s`);
} finally {
  await seeder?.close();
  server.kill();
  await new Promise((resolve) => setTimeout(resolve, 500));
  await scratch.drop();
  await dropRedisPrefix(redisUrl, keyPrefix);
}
