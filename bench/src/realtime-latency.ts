/**
 * Webhook → agent latency of the realtime channel, scale mode: two `server` processes and a `worker`.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 \
 *     npm run bench:realtime -- [--agents 100] [--rate 1000] [--seconds 30] [--warmup 5]
 *
 * One workspace with `agents` Agents, half streaming from each server (Server-Sent Events). Its customers'
 * conversations exist already, assigned round-robin to the agents, so each inbound message is an event
 * for exactly one agent (through the visibility filter). Webhooks are posted open-loop at `rate` to the
 * first server; per message, latency runs from the POST's intended send time to the `message.created`
 * event's arrival at its agent's stream. The commit → event share is reported too (the row's
 * `created_at` to arrival), which isolates the realtime path from webhook processing. A warm-up of
 * `warmup` seconds at the same rate runs first and is not measured.
 */
import http from 'node:http';
import { insertSession, insertUser } from '../../apps/server/src/modules/identity/identity.repository.js';
import { randomToken, tokenHash } from '../../apps/server/src/modules/identity/secrets.js';
import { insertMember } from '../../apps/server/src/modules/workspaces/workspaces.repository.js';
import { createWorkspace } from '../../apps/server/src/modules/workspaces/workspaces.service.js';
import { openDatabase } from '../../apps/server/src/platform/db/client.js';
import { SESSION_COOKIE, systemActor } from '../../apps/server/src/platform/http/auth.js';
import { newId } from '../../apps/server/src/platform/ids.js';
import { numberArg } from './lib/args.js';
import { insertBenchChannel, signedInboundText } from './lib/inbound-payload.js';
import { openLoop, p99PerSecond, percentile } from './lib/open-loop.js';
import { machine } from './lib/processes.js';
import { startScaleStack } from './lib/scale-stack.js';

const agentCount = numberArg('agents', 100);
const rate = numberArg('rate', 1000);
const seconds = numberArg('seconds', 30);
const warmup = numberArg('warmup', 5);
const customers = 500;
const sender = (n: number) => `1650666${String(n % customers).padStart(4, '0')}`;
const now = () => performance.timeOrigin + performance.now();

/** Streams one agent's events; calls back with each message.created's id and arrival time. */
function listen(url: string, token: string, onMessage: (messageId: string, at: number) => void) {
  return new Promise<http.ClientRequest>((resolve, reject) => {
    const req = http.get(url, { headers: { cookie: `${SESSION_COOKIE}=${token}` } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`stream refused: HTTP ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      let event = '';
      res.on('data', (chunk: string) => {
        const at = now();
        buffer += chunk;
        let end = buffer.indexOf('\n');
        while (end >= 0) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 1);
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ') && event === 'message.created') {
            onMessage((JSON.parse(line.slice(6)) as { messageId: string }).messageId, at);
          } else if (line === '') event = '';
          end = buffer.indexOf('\n');
        }
      });
      resolve(req);
    });
    req.on('error', reject);
  });
}

async function seed(databaseUrl: string) {
  const handle = await openDatabase({ url: databaseUrl, poolSize: 4 });
  const db = handle.db;
  try {
    const owner = await insertUser(db, {
      id: newId('user'),
      email: 'owner@bench.test',
      name: 'Owner',
      passwordHash: 'unused',
    });
    const workspace = await createWorkspace(db, systemActor('bench'), {
      name: 'Bench',
      ownerUserId: owner!.id,
    });
    const agents: { userId: string; token: string }[] = [];
    for (let i = 0; i < agentCount; i++) {
      const user = await insertUser(db, {
        id: newId('user'),
        email: `agent${i}@bench.test`,
        name: `Agent ${i}`,
        passwordHash: 'unused',
      });
      const token = randomToken();
      await insertSession(db, {
        id: newId('session'),
        userId: user!.id,
        tokenHash: tokenHash(token),
        expiresAt: new Date(Date.now() + 3600_000),
      });
      await insertMember(db, workspace.id, { id: newId('member'), userId: user!.id, role: 'agent' });
      agents.push({ userId: user!.id, token });
    }
    return { workspaceId: workspace.id, agents };
  } finally {
    await handle.close();
  }
}

async function main() {
  const stack = await startScaleStack({ keyPrefix: 'benchrt', env: { GRAPH_SIM: 'false' } });
  const { db, appSecret } = stack;
  const streams: http.ClientRequest[] = [];
  try {
    // The first server migrates; the others start on the migrated database.
    const first = await stack.server();
    stack.worker();
    const second = await stack.server();

    const { workspaceId, agents } = await seed(stack.databaseUrl);
    const channelId = await insertBenchChannel(db, workspaceId, 'rt');
    for (let n = 0; n < customers; n++) {
      const contactId = `ct_rt${n}`;
      await db.query(`insert into contacts (id, workspace_id, wa_id, phone_e164) values ($1, $2, $3, $4)`, [
        contactId,
        workspaceId,
        sender(n),
        `+${sender(n)}`,
      ]);
      await db.query(
        `insert into conversations (id, workspace_id, channel_id, contact_id, assignee_id) values ($1, $2, $3, $4, $5)`,
        [`conv_rt${n}`, workspaceId, channelId, contactId, agents[n % agents.length]!.userId],
      );
    }

    const arrivals = new Map<string, number>();
    for (const [i, agent] of agents.entries()) {
      const server = i % 2 === 0 ? first : second;
      streams.push(
        await listen(
          `${server.url}/api/v1/workspaces/${workspaceId}/realtime`,
          agent.token,
          (messageId, at) => arrivals.set(messageId, at),
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // worker and streams settle
    // Warm-up at the same rate, not measured: connection pools, JIT and lazily loaded code of freshly
    // started processes otherwise make the first seconds' latency that of a cold start.
    if (warmup > 0) {
      await openLoop({
        url: `${first.url}/webhooks/whatsapp`,
        rate,
        seconds: warmup,
        request: (i) => signedInboundText(appSecret, `wamid.warm.${i}`, sender(i), `warm-up ${i}`),
      });
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      arrivals.clear(); // only the measured run's events count
    }

    const intended = new Map<string, number>();
    const origin = now() - performance.now();
    const start = now();
    const load = await openLoop({
      url: `${first.url}/webhooks/whatsapp`,
      rate,
      seconds,
      request: (i) => {
        const wamid = `wamid.rt.${i}`;
        intended.set(wamid, origin + performance.now());
        return signedInboundText(appSecret, wamid, sender(i), `realtime ${i}`);
      },
    });
    // Let the last events arrive.
    const deadline = Date.now() + 60_000;
    while (arrivals.size < load.sent && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const { rows } = await db.query(
      `select id, wamid, extract(epoch from created_at) * 1000 as created from messages where wamid like 'wamid.rt.%'`,
    );
    const endToEnd: number[] = [];
    const commitToEvent: number[] = [];
    const bySecond: number[][] = Array.from({ length: seconds }, () => []);
    for (const row of rows) {
      const at = arrivals.get(row.id);
      if (at === undefined) continue;
      const sentAt = intended.get(row.wamid) ?? Number.NaN;
      endToEnd.push(at - sentAt);
      commitToEvent.push(at - Number(row.created));
      bySecond[Math.min(seconds - 1, Math.floor((sentAt - start) / 1000))]?.push(at - sentAt);
    }
    const sorted = (values: number[]) => Float64Array.from(values).sort();
    const summary = (values: number[]) => {
      const s = sorted(values);
      const round = (ms: number) => Math.round(ms * 10) / 10;
      return {
        p50: round(percentile(s, 50)),
        p99: round(percentile(s, 99)),
        p999: round(percentile(s, 99.9)),
        max: round(percentile(s, 100)),
      };
    };
    console.log(
      JSON.stringify(
        {
          machine: machine(),
          date: new Date().toISOString().slice(0, 10),
          agents: agentCount,
          rate,
          seconds,
          warmupSeconds: warmup,
          achievedRate: Math.round(load.achievedRate),
          webhooksAcked: load.ok,
          messagesStored: rows.length,
          eventsReceived: endToEnd.length,
          webhookToEventMs: summary(endToEnd),
          commitToEventMs: summary(commitToEvent),
          p99PerSecondMs: p99PerSecond(bySecond).map(Math.round),
        },
        null,
        2,
      ),
    );
  } finally {
    for (const stream of streams) stream.destroy();
    await stack.stop();
  }
}

await main();
