/**
 * Send pacing against the Graph API simulator with its limits on (scale mode: PostgreSQL + Redis).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 \
 *     node --import tsx bench/src/send-pacing.ts [--seconds 60] [--workers 1] [--only high|standard]
 *
 * For a 1,000/s (HIGH) and an 80/s (STANDARD) number: enough queued messages for --seconds at the cap
 * are stored and dispatched at once; the send worker(s) drain them through the shared pacer. Measured
 * at the simulator (its accept times): sustained rate, the maximum count in any sliding 1-second
 * window, and rejections (130429: any message that needed a second try). `--workers 2` runs two
 * worker platforms sharing the number (same database and Redis).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../apps/server/src/config.js';
import { channels, wabas } from '../../apps/server/src/modules/channels/channels.tables.js';
import { contacts } from '../../apps/server/src/modules/contacts/contacts.tables.js';
import { modules } from '../../apps/server/src/modules/index.js';
import { messages } from '../../apps/server/src/modules/messages/messages.tables.js';
import { sendMessageJob } from '../../apps/server/src/modules/messages/send.job.js';
import { newId } from '../../apps/server/src/platform/ids.js';
import { createPlatform, type RunningPlatform } from '../../apps/server/src/platform/platform.js';
import { freePort, machine, spawnTs, waitForOk } from './lib/processes.js';
import { dropRedisPrefix, scratchDatabase } from './lib/scale-stack.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const seconds = Number(arg('seconds', '60'));
const workerCount = Number(arg('workers', '1'));
const only = arg('only', 'all');
const adminUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!adminUrl || !redisUrl) {
  console.error('Set DATABASE_URL and REDIS_URL (scale mode).');
  process.exit(2);
}
const keyPrefix = `bench${randomBytes(3).toString('hex')}`;

const simPort = await freePort();
const sim = spawnTs('apps/graph-sim/src/main.ts', [], { GRAPH_SIM_PORT: String(simPort) });
const simUrl = `http://127.0.0.1:${simPort}`;
const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const res = await fetch(`${simUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

const database = await scratchDatabase(adminUrl);

const platforms: RunningPlatform[] = [];
try {
  await waitForOk(`${simUrl}/_sim/health`);
  // No subscribed app: no status webhooks, the benchmark measures sends only.
  await control('PATCH', '/_sim/config', { limitsEnabled: true, unknownRecipients: 'auto-create' });
  const appId = '990011223344';
  await control('POST', '/_sim/apps', { id: appId, secret: randomBytes(8).toString('hex') });
  const business = await control<{ id: string }>('POST', '/_sim/businesses', { name: 'Bench' });
  const simWaba = await control<{ id: string }>('POST', '/_sim/wabas', { business_id: business.id });
  const token = await control<{ access_token: string }>('POST', '/_sim/tokens', {
    app_id: appId,
    business_id: business.id,
    waba_ids: [simWaba.id],
  });

  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: 'memory://',
    GRAPH_SIM: 'false',
    GRAPH_API_BASE_URL: simUrl,
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    TOKEN_MASTER_KEY: randomBytes(32).toString('base64'),
    META_APP_ID: appId,
    META_APP_SECRET: 'bench-secret',
    META_VERIFY_TOKEN: 'bench',
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '40',
  });
  for (let i = 0; i < workerCount; i++) {
    platforms.push(await createPlatform(config, modules, { migrate: i === 0 }));
  }
  const platform = platforms[0] as RunningPlatform;
  const workspaceId = newId('workspace');
  const tokenSecretId = await platform.vault.put(platform.db, workspaceId, 'waba_token', token.access_token);
  const wabaRowId = newId('waba');
  await platform.db
    .insert(wabas)
    .values({ id: wabaRowId, workspaceId, externalId: simWaba.id, tokenSecretId });
  for (const worker of platforms) await worker.startWorker();

  console.log(`machine: ${machine()}; date ${new Date().toISOString().slice(0, 10)}; workers ${workerCount}`);
  const scenarios = [
    { level: 'HIGH', cap: 1000 },
    { level: 'STANDARD', cap: 80 },
  ].filter((s) => only === 'all' || s.level.toLowerCase() === only);
  for (const scenario of scenarios) {
    const number = await control<{ id: string }>('POST', '/_sim/phone-numbers', {
      waba_id: simWaba.id,
      throughput_level: scenario.level,
      registered: true,
    });
    const channelId = newId('channel');
    await platform.db.insert(channels).values({
      id: channelId,
      workspaceId,
      wabaId: wabaRowId,
      phoneNumberId: number.id,
      status: 'connected',
      throughputLevel: scenario.level,
    });
    const total = Math.round(scenario.cap * seconds * 0.95);
    const ids: string[] = [];
    for (let start = 0; start < total; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, total - start) }, (_, i) => {
        const waId = `1555${scenario.cap}${String(start + i).padStart(7, '0')}`;
        return { id: newId('contact'), workspaceId, waId, phoneE164: `+${waId}` };
      });
      await platform.db.insert(contacts).values(batch);
      const rows = batch.map((contact) => ({
        id: newId('message'),
        workspaceId,
        conversationId: 'conv_bench',
        channelId,
        contactId: contact.id,
        direction: 'outbound' as const,
        type: 'text',
        content: { text: { body: 'Your order is on its way' } },
        status: 'queued' as const,
        occurredAt: new Date(),
      }));
      await platform.db.insert(messages).values(rows);
      ids.push(...rows.map((row) => row.id));
    }
    const seen = new Map<string, number>();
    const poll = async () => {
      const res = await control<{ data: { id: string; created_at: string }[] }>(
        'GET',
        `/_sim/messages?phone_number_id=${number.id}&limit=10000`,
      );
      for (const m of res.data) seen.set(m.id, Date.parse(m.created_at));
    };
    const started = Date.now();
    for (let i = 0; i < ids.length; i += 1000) {
      await platform.jobs.enqueueMany(
        sendMessageJob,
        ids
          .slice(i, i + 1000)
          .map((messageId) => ({ payload: { workspaceId, messageId }, options: { jobId: messageId } })),
      );
    }
    while (seen.size < total && Date.now() - started < seconds * 8000) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await poll();
    }
    await poll();
    const times = [...seen.values()].sort((a, b) => a - b);
    let busiest = 0;
    for (let lo = 0, hi = 0; hi < times.length; hi++) {
      while ((times[hi] as number) - (times[lo] as number) >= 1000) lo++;
      busiest = Math.max(busiest, hi - lo + 1);
    }
    const spanS = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
    const [retried] = await platform.db
      .select({ n: sql<number>`count(*)::int` })
      .from(messages)
      .where(sql`${messages.channelId} = ${channelId} and ${messages.sendAttempts} > 1`);
    console.log(
      JSON.stringify({
        number: `${scenario.level} (${scenario.cap}/s)`,
        sends: times.length,
        of: total,
        seconds: Number(spanS.toFixed(1)),
        sustainedPerSecond: Number((times.length / spanS).toFixed(1)),
        maxInSliding1s: busiest,
        retried130429: retried?.n ?? 0,
      }),
    );
  }
} finally {
  for (const platform of platforms) await platform.close();
  sim.kill();
  await database.drop();
  await dropRedisPrefix(redisUrl, keyPrefix);
}
