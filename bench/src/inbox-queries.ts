/**
 * Inbox reads at scale (scale mode: PostgreSQL + Redis).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 \
 *     node --import tsx bench/src/inbox-queries.ts [--conversations 100000] [--per 10] [--requests 2000]
 *
 * Seeds one workspace with `conversations × per` messages (default 1,000,000 in 100,000 conversations,
 * written by SQL in the database), then measures through one `server` process over HTTP, as the owner:
 * the conversation list (first page, and filtered to open), a conversation's latest 50 messages, and
 * message search for a word. Closed loop with a few concurrent clients; latency per request.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { request } from 'undici';
import { freePort, machine, spawnTs, waitForOk } from './lib/processes.js';
import { dropRedisPrefix, scratchDatabase } from './lib/scale-stack.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const conversationCount = Number(arg('conversations', '100000'));
const perConversation = Number(arg('per', '10'));
const requestsPerScenario = Number(arg('requests', '2000'));
const clients = Number(arg('clients', '4'));
const adminUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!adminUrl || !redisUrl) {
  console.error('Set DATABASE_URL and REDIS_URL (scale mode).');
  process.exit(2);
}

// Words of the seeded messages: search picks among them, some common, some rare.
const words = [
  'order',
  'delivery',
  'refund',
  'payment',
  'invoice',
  'namaste',
  'dhanyavaad',
  'kal',
  'shipment',
];

const database = await scratchDatabase(adminUrl);
const port = await freePort();
const keyPrefix = `bench${randomBytes(3).toString('hex')}`;
const server = spawnTs('apps/server/src/main.ts', ['server'], {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  PORT: String(port),
  DATABASE_URL: database.url,
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: keyPrefix,
  TOKEN_MASTER_KEY: randomBytes(32).toString('base64'),
  GRAPH_SIM: 'false',
});
const base = `http://127.0.0.1:${port}`;
const db = new pg.Client({ connectionString: database.url });

try {
  await waitForOk(`${base}/ready`, 60_000);
  await db.connect();
  const signup = await request(`${base}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'bench@example.com',
      password: 'bench-password-1234',
      name: 'Bench Owner',
    }),
  });
  const session = (await signup.body.json()) as { workspaceId: string; user: { id: string } };
  const setCookie = signup.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie : [setCookie ?? ''])
    .map((c) => c.split(';')[0])
    .join('; ');
  const ws = session.workspaceId;
  if (signup.statusCode !== 201 || !ws) throw new Error(`signup failed: ${signup.statusCode}`);

  const seedStarted = Date.now();
  const total = conversationCount * perConversation;
  await db.query(`insert into wabas (id, workspace_id, external_id) values ('waba_bench', $1, '100200300')`, [
    ws,
  ]);
  await db.query(
    `insert into channels (id, workspace_id, waba_id, phone_number_id, status)
     values ('ch_bench', $1, 'waba_bench', '100200301', 'connected')`,
    [ws],
  );
  await db.query(
    `insert into contacts (id, workspace_id, wa_id, phone_e164, profile_name, last_inbound_at)
     select 'ct_' || lpad(i::text, 26, '0'), $1, '9198' || lpad(i::text, 8, '0'),
            '+9198' || lpad(i::text, 8, '0'), 'Customer ' || i, now() - i * interval '1 minute'
     from generate_series(1, $2::int) i`,
    [ws, conversationCount],
  );
  // A realistic mix: most conversations resolved, a fifth open, some pending; a third assigned.
  await db.query(
    `insert into conversations (id, workspace_id, channel_id, contact_id, status, assignee_id,
                                last_inbound_at, last_message_at, unread_count, created_at)
     select 'conv_' || lpad(i::text, 26, '0'), $1, 'ch_bench', 'ct_' || lpad(i::text, 26, '0'),
            case when i % 10 < 7 then 'resolved' when i % 10 < 9 then 'open' else 'pending' end,
            case when i % 3 = 0 then $3 end,
            now() - i * interval '1 minute', now() - i * interval '1 minute', i % 4,
            now() - i * interval '1 minute' - interval '1 day'
     from generate_series(1, $2::int) i`,
    [ws, conversationCount, session.user.id],
  );
  for (let start = 1; start <= conversationCount; start += 10_000) {
    const end = Math.min(conversationCount, start + 9_999);
    await db.query(
      `insert into messages (id, workspace_id, conversation_id, channel_id, contact_id, direction, type,
                             wamid, content, preview, status, status_rank, occurred_at)
       select 'msg_' || lpad((c * $4 + m)::text, 26, '0'), $1, 'conv_' || lpad(c::text, 26, '0'), 'ch_bench',
              'ct_' || lpad(c::text, 26, '0'),
              case when m % 2 = 0 then 'inbound' else 'outbound' end, 'text',
              'wamid.bench' || (c * $4 + m),
              jsonb_build_object('text', jsonb_build_object('body', t.body)), t.body,
              case when m % 2 = 0 then 'received' else 'read' end, case when m % 2 = 0 then 0 else 3 end,
              now() - c * interval '1 minute' - ($4 - m) * interval '10 seconds'
       from generate_series($2::int, $3::int) c, generate_series(1, $4::int) m,
            lateral (select 'Hello, about my ' || ($5::text[])[1 + (c + m) % array_length($5::text[], 1)]
                            || ' number ' || (c * 7 + m) % 1000 || case when (c + m) % 997 = 0 then ' urgent' else '' end
                            as body) t`,
      [ws, start, end, perConversation, words],
    );
  }
  await db.query('analyze');
  const seedSeconds = (Date.now() - seedStarted) / 1000;

  const get = async (path: string): Promise<number> => {
    const started = performance.now();
    const res = await request(`${base}/api/v1/workspaces/${ws}${path}`, { headers: { cookie } });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode}`);
    return performance.now() - started;
  };
  const randomConversation = () =>
    `conv_${String(1 + Math.floor(Math.random() * conversationCount)).padStart(26, '0')}`;
  const scenarios: { name: string; path: () => string }[] = [
    { name: 'conversation list, first page (all)', path: () => '/conversations?limit=25' },
    { name: 'conversation list, open only', path: () => '/conversations?status=open&limit=25' },
    {
      name: 'latest 50 messages of a conversation',
      path: () => `/conversations/${randomConversation()}/messages?limit=50`,
    },
    {
      name: 'message search (common word)',
      path: () => `/search?type=messages&q=${words[Math.floor(Math.random() * words.length)]}`,
    },
    { name: 'message search (rare word)', path: () => '/search?type=messages&q=urgent' },
  ];

  console.log(`machine: ${machine()}; date ${new Date().toISOString().slice(0, 10)}`);
  console.log(
    `seeded ${total.toLocaleString('en')} messages in ${conversationCount.toLocaleString('en')} conversations in ${seedSeconds.toFixed(0)} s`,
  );
  for (const scenario of scenarios) {
    for (let i = 0; i < 50; i++) await get(scenario.path()); // warm-up
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next++ < requestsPerScenario) latencies.push(await get(scenario.path()));
      }),
    );
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      (latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(1);
    console.log(
      JSON.stringify({
        scenario: scenario.name,
        requests: latencies.length,
        clients,
        p50: pct(0.5),
        p99: pct(0.99),
        max: pct(1),
      }),
    );
  }
} finally {
  await db.end().catch(() => {});
  server.kill();
  await new Promise((resolve) => setTimeout(resolve, 500));
  await database.drop();
  await dropRedisPrefix(redisUrl, keyPrefix);
}
