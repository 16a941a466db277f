import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { metaJsonStringify, signBody, type WebhookItem } from '@openwaba/cloud-api';
import { eq, TransactionRollbackError } from 'drizzle-orm';
import pg from 'pg';
import { webhooksModule } from '../../../src/modules/webhooks/webhooks.module.js';
import {
  claimWebhookEvents,
  listDeadEvents,
  MAX_CLAIMED_EVENTS,
  replayWebhookEvents,
} from '../../../src/modules/webhooks/webhooks.service.js';
import { webhookEvents } from '../../../src/modules/webhooks/webhooks.tables.js';
import { systemActor } from '../../../src/platform/http/auth.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';

const APP_SECRET = 'test-app-secret-7f3a';
const VERIFY_TOKEN = 'verify-me-please';

// What the inbound handler saw: each message item by wamid; `failNext` makes it throw for the next calls;
// `afterCommitOf` gives a message a step to run after its batch commits.
const handled = new Map<string, WebhookItem[]>();
let failNext = 0;
const afterCommitOf = new Map<string, () => Promise<unknown>>();
const webhooks = webhooksModule({
  createHandler: () => async (_tx, items) => {
    if (failNext > 0) {
      failNext--;
      throw new Error('inbound handler failed on purpose');
    }
    const steps: (() => Promise<unknown>)[] = [];
    for (const item of items) {
      const key = item.kind === 'message' ? item.message.id : item.kind;
      handled.set(key, [...(handled.get(key) ?? []), item]);
      const step = afterCommitOf.get(key);
      if (step) steps.push(step);
    }
    return steps;
  },
});
const timesHandled = (wamid: string) => handled.get(wamid)?.length ?? 0;

function textMessagePayload(id: string, body: string) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: 'Zoë Ñúñez' }, wa_id: '16505551234' }],
              messages: [{ from: '16505551234', id, timestamp: '1749416383', type: 'text', text: { body } }],
            },
          },
        ],
      },
    ],
  };
}

/** An app of its own with no worker: what the test stores stays as it is until the test acts on it. */
const appWithoutWorker = () =>
  createTestApp({ modules: [webhooks], env: { META_APP_SECRET: APP_SECRET }, worker: false });

let t: TestApp;
before(async () => {
  t = await createTestApp({
    modules: [webhooks],
    env: { META_APP_SECRET: APP_SECRET, META_VERIFY_TOKEN: VERIFY_TOKEN },
  });
});
after(async () => {
  await t.close();
});
beforeEach(() => {
  failNext = 0;
});

async function post(body: string, signature: string | undefined = signBody(body, APP_SECRET)) {
  return t.inject({
    method: 'POST',
    url: '/webhooks/whatsapp',
    headers: {
      'content-type': 'application/json',
      ...(signature ? { 'x-hub-signature-256': signature } : {}),
    },
    payload: body,
  });
}

async function intakeCount(outcome: string): Promise<number> {
  const metric = await t.platform.metrics.registry.getSingleMetric('webhook_intake_total')?.get();
  return metric?.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

async function storedCount(): Promise<number> {
  return (await t.platform.db.select({ id: webhookEvents.id }).from(webhookEvents)).length;
}

test('the verification handshake echoes the challenge only for the right token', async () => {
  const ok = await t.inject({
    method: 'GET',
    url: `/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
  });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.body, '1158201444');
  const wrong = await t.inject({
    method: 'GET',
    url: '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444',
  });
  assert.equal(wrong.statusCode, 403);
  assert.doesNotMatch(wrong.body, /1158201444/);
  assert.ok(!t.logs.text.includes(VERIFY_TOKEN), 'the verify token is not logged');
});

test('a signed payload with emoji and accents is stored byte for byte and processed', async () => {
  const body = metaJsonStringify(
    textMessagePayload('wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTdBQjQ2', 'Olá 👋 café'),
  );
  assert.match(body, /\\u00e1/, 'Meta-style escapes in the raw body');
  const res = await post(body);
  assert.equal(res.statusCode, 200);
  const [row] = await t.platform.db.select().from(webhookEvents).where(eq(webhookEvents.body, body));
  assert.ok(row, 'the exact bytes are stored');
  await t.platform.jobs.idle();
  assert.equal(timesHandled('wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTdBQjQ2'), 1);
  const item = handled.get('wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTdBQjQ2')![0]!;
  assert.equal(item.kind, 'message');
  assert.equal(
    item.kind === 'message' && item.message.type === 'text' ? item.message.text.body : '',
    'Olá 👋 café',
  );
  const [after] = await t.platform.db.select().from(webhookEvents).where(eq(webhookEvents.id, row.id));
  assert.equal(after?.status, 'processed');
});

test('a re-serialised body fails the signature (the HMAC is over the raw bytes)', async () => {
  const payload = textMessagePayload('wamid.reserialised', 'Olá 👋');
  const signedBody = metaJsonStringify(payload);
  const before = await storedCount();
  const res = await post(JSON.stringify(payload), signBody(signedBody, APP_SECRET));
  assert.equal(res.statusCode, 401);
  assert.equal(await storedCount(), before);
});

test('missing or wrong signatures answer 401 and store nothing', async () => {
  const body = metaJsonStringify(textMessagePayload('wamid.unsigned', 'hi'));
  const before = await storedCount();
  const rejectedBefore = await intakeCount('invalid_signature');
  const missing = await post(body, '');
  const wrong = await post(body, signBody(body, 'another-secret'));
  const garbage = await post(body, 'sha256=zz');
  for (const res of [missing, wrong, garbage]) {
    assert.equal(res.statusCode, 401);
    assert.equal(json<{ error: { code: string } }>(res).error.code, 'invalid_signature');
  }
  assert.equal(await storedCount(), before);
  assert.ok(!t.logs.text.includes('wamid.unsigned'), 'rejected bodies are not logged');
  assert.equal((await intakeCount('invalid_signature')) - rejectedBefore, 3, 'each rejection is counted');
});

test('signed non-JSON and oversized bodies are refused and store nothing', async () => {
  const before = await storedCount();
  const notJson = await post('this is not json');
  assert.equal(notJson.statusCode, 400);
  const big = `{"object":"whatsapp_business_account","pad":"${'x'.repeat(3 * 1024 * 1024)}"}`;
  const tooBig = await post(big);
  assert.equal(tooBig.statusCode, 413);
  assert.equal(await storedCount(), before);
});

test('the same delivery twice is stored and processed once', async () => {
  const body = metaJsonStringify(textMessagePayload('wamid.duplicate', 'twice'));
  const [first, second] = await Promise.all([post(body), post(body)]);
  assert.equal(first.statusCode, 200);
  assert.equal(second.statusCode, 200);
  await post(body);
  const rows = await t.platform.db.select().from(webhookEvents).where(eq(webhookEvents.body, body));
  assert.equal(rows.length, 1);
  await t.platform.jobs.idle();
  assert.equal(timesHandled('wamid.duplicate'), 1);
});

test('many concurrent deliveries are all stored (group commit) and each processed once', async () => {
  const bodies = Array.from({ length: 200 }, (_, i) =>
    metaJsonStringify(textMessagePayload(`wamid.burst.${i}`, `n${i}`)),
  );
  const responses = await Promise.all(bodies.map((body) => post(body)));
  assert.ok(responses.every((res) => res.statusCode === 200));
  await t.platform.jobs.idle(20_000);
  const rows = await t.platform.db.select().from(webhookEvents);
  const burst = rows.filter((row) => row.body.includes('wamid.burst.'));
  assert.equal(burst.length, 200);
  for (const row of burst) assert.equal(row.status, 'processed');
  for (let i = 0; i < 200; i++)
    assert.equal(timesHandled(`wamid.burst.${i}`), 1, `wamid.burst.${i} handled once`);
});

test('a failing handler is retried; a payload of the wrong shape is dead-lettered and replayable', async () => {
  failNext = 1;
  const body = metaJsonStringify(textMessagePayload('wamid.flaky', 'retry me'));
  await post(body);
  const deadline = Date.now() + 15_000;
  let row = (await t.platform.db.select().from(webhookEvents).where(eq(webhookEvents.body, body)))[0];
  while (row?.status !== 'processed' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    row = (await t.platform.db.select().from(webhookEvents).where(eq(webhookEvents.body, body)))[0];
  }
  assert.equal(row?.status, 'processed');
  assert.equal(row?.attempts, 2);

  const wrongShape = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: 'nope' }] });
  await post(wrongShape);
  await t.platform.jobs.idle();
  const dead = await listDeadEvents(t.platform);
  const letter = dead.find((event) => event.lastError?.includes('entry[0]'));
  assert.ok(letter, 'the malformed event is in the dead-letter list with its error');

  const replayed = await replayWebhookEvents(
    t.platform,
    webhooks.processJob,
    {
      from: new Date(Date.now() - 60_000),
      to: new Date(),
      deadOnly: true,
    },
    systemActor('test'),
  );
  assert.equal(replayed, 1);
  await t.platform.jobs.idle();
  assert.ok(
    (await listDeadEvents(t.platform)).some((event) => event.id === letter.id),
    'still dead: its shape is wrong',
  );
});

test('one malformed message does not hold back the valid items of its batch', async () => {
  const payload = textMessagePayload('wamid.good.in.bad.batch', 'I am fine');
  const value = payload.entry[0]!.changes[0]!.value as { messages: unknown[] };
  value.messages.push({
    from: '16505551234',
    id: 'wamid.broken',
    timestamp: '1749416384',
    type: 'text',
    text: {},
  });
  await post(metaJsonStringify(payload));
  await t.platform.jobs.idle();
  const [row] = await t.platform.db
    .select()
    .from(webhookEvents)
    .where(eq(webhookEvents.body, metaJsonStringify(payload)));
  assert.equal(timesHandled('wamid.good.in.bad.batch'), 1);
  assert.equal(timesHandled('wamid.broken'), 0);
  assert.equal(row?.status, 'dead', 'the event stays visible in the dead-letter list');
  assert.match(String(row?.lastError), /text\.body/);
});

test('replaying a time range re-processes events without doubling their effects upstream', async () => {
  const body = metaJsonStringify(textMessagePayload('wamid.replay', 'again'));
  await post(body);
  await t.platform.jobs.idle();
  const [row] = await t.platform.db.select().from(webhookEvents).where(eq(webhookEvents.body, body));
  const count = await replayWebhookEvents(
    t.platform,
    webhooks.processJob,
    {
      from: new Date(row!.receivedAt.getTime() - 1),
      to: new Date(row!.receivedAt.getTime() + 1),
    },
    systemActor('test'),
  );
  assert.equal(count, 1);
  await t.platform.jobs.idle();
  assert.equal(timesHandled('wamid.replay'), 2, 'the handler saw it again (its own effects are idempotent)');
  const [after] = await t.platform.db.select().from(webhookEvents).where(eq(webhookEvents.id, row!.id));
  assert.equal(after?.status, 'processed');
});

test('the sweeper re-dispatches events that no queue holds', async () => {
  // Store an event directly, as if the server crashed between commit and dispatch.
  const body = metaJsonStringify(textMessagePayload('wamid.orphan', 'lost job'));
  const [row] = await t.platform.db
    .insert(webhookEvents)
    .values({
      id: 'whe_orphan',
      body,
      contentHash: 'orphan-hash',
      receivedAt: new Date(Date.now() - 5 * 60_000),
    })
    .returning();
  const sweeper = webhooks.sweepers?.find((s) => s.name === 'webhooks.stalled');
  assert.ok(sweeper);
  assert.equal(await sweeper.sweep(t.platform), 1);
  await t.platform.jobs.idle();
  assert.equal(timesHandled('wamid.orphan'), 1);
  assert.equal(row?.id, 'whe_orphan');
  assert.equal(await sweeper.sweep(t.platform), 0, 'nothing left to sweep');
});

test('when the database is down the intake answers 503 so that Meta retries', async () => {
  const down = await appWithoutWorker();
  try {
    await down.platform.database.close();
    const body = metaJsonStringify(textMessagePayload('wamid.dbdown', 'anyone there?'));
    const res = await down.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, APP_SECRET) },
      payload: body,
    });
    assert.equal(res.statusCode, 503);
    assert.equal(json<{ error: { code: string } }>(res).error.code, 'unavailable');
  } finally {
    await down.close().catch(() => {});
  }
});

test('a job claims its own events and the other pending ones; held, failed and processed events stay', async () => {
  const quiet = await appWithoutWorker();
  try {
    const minute = 60_000;
    const event = (id: string, extra: Partial<typeof webhookEvents.$inferInsert> = {}) => ({
      id,
      body: '{}',
      contentHash: `hash-${id}`,
      receivedAt: new Date(Date.now() - 10 * minute),
      ...extra,
    });
    await quiet.platform.db
      .insert(webhookEvents)
      .values([
        event('whe_own'),
        event('whe_pending'),
        event('whe_failed', { status: 'failed' }),
        event('whe_done', { status: 'processed' }),
      ]);
    // Each claim is rolled back, as a failed batch is: the next one starts from the same events.
    const ids = async (eventIds: string[], more: boolean) => {
      let claimed: string[] = [];
      await quiet.platform.db
        .transaction(async (tx) => {
          claimed = (await claimWebhookEvents(tx, eventIds, more)).map((row) => row.id).sort();
          tx.rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof TransactionRollbackError)) throw error;
        });
      return claimed;
    };

    assert.deepEqual(await ids(['whe_failed'], false), ['whe_failed'], 'a retry claims its own failed event');
    assert.deepEqual(await ids(['whe_own'], false), ['whe_own'], 'alone: its own events only');
    assert.deepEqual(await ids(['whe_own'], true), ['whe_own', 'whe_pending']);
    assert.deepEqual(await ids(['whe_done'], true), ['whe_own', 'whe_pending'], 'a processed event is not');
    // The claims' marks ended with their transactions: the events are as they were.
    const statuses = await quiet.platform.db
      .select({ id: webhookEvents.id, status: webhookEvents.status })
      .from(webhookEvents)
      .orderBy(webhookEvents.id);
    assert.deepEqual(
      statuses.map((row) => `${row.id}:${row.status}`),
      ['whe_done:processed', 'whe_failed:failed', 'whe_own:pending', 'whe_pending:pending'],
    );

    if (quiet.config.database.url) {
      // Another worker's batch holds whe_pending (its transaction locked the row): skipped, not awaited.
      const other = new pg.Client({ connectionString: quiet.config.database.url });
      await other.connect();
      try {
        await other.query('begin');
        await other.query(`select id from webhook_events where id = 'whe_pending' for update`);
        assert.deepEqual(await ids(['whe_own'], true), ['whe_own'], 'a held event is left to its holder');
        await other.query('rollback');
        assert.deepEqual(
          await ids(['whe_own'], true),
          ['whe_own', 'whe_pending'],
          'released with its holder',
        );
      } finally {
        await other.end();
      }
    }
  } finally {
    await quiet.close();
  }
});

test('a claim takes the oldest pending events first, up to its limit', async () => {
  const quiet = await appWithoutWorker();
  try {
    const start = Date.now() - 3_600_000;
    const count = MAX_CLAIMED_EVENTS + 10;
    // Inserted newest first, so that neither insertion order nor id order gives the answer.
    const rows = Array.from({ length: count }, (_, i) => ({
      id: `whe_${String(i).padStart(4, '0')}`,
      body: '{}',
      contentHash: `hash-${i}`,
      receivedAt: new Date(start + (count - i) * 1000),
    }));
    await quiet.platform.db.insert(webhookEvents).values(rows);
    const claimed = await quiet.platform.db.transaction((tx) => claimWebhookEvents(tx, [], true));
    const oldest = [...rows]
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime())
      .slice(0, MAX_CLAIMED_EVENTS)
      .map((row) => row.id);
    assert.deepEqual(
      claimed.map((row) => row.id),
      oldest,
    );
    assert.ok(
      claimed.every((row) => row.attempts === 0),
      'the attempts made before this one',
    );
    // Committed, the claim is the mark: the claimed events are processed, with this attempt counted.
    const after = await quiet.platform.db
      .select({ id: webhookEvents.id, status: webhookEvents.status, attempts: webhookEvents.attempts })
      .from(webhookEvents);
    const processed = after.filter((row) => row.status === 'processed');
    assert.deepEqual(processed.map((row) => row.id).sort(), [...oldest].sort());
    assert.ok(processed.every((row) => row.attempts === 1));
    assert.equal(after.filter((row) => row.status === 'pending').length, 10);
  } finally {
    await quiet.close();
  }
});

test('a processing job keeps taking the events that arrive while it runs, with no job of their own', async () => {
  const stored = (name: string) => ({
    id: `whe_${name}`,
    body: metaJsonStringify(textMessagePayload(`wamid.${name}`, name)),
    contentHash: `hash-${name}`,
  });
  const completedJobs = async () =>
    (await t.platform.metrics.registry.getSingleMetric('jobs_total')?.get())?.values.find(
      (v) => v.labels.job === 'webhooks.process' && v.labels.outcome === 'completed',
    )?.value ?? 0;
  await t.platform.jobs.idle();
  const before = await completedJobs();

  // The second event is stored once the first one's batch has committed, and nothing asks for it.
  afterCommitOf.set('wamid.drain1', () => t.platform.db.insert(webhookEvents).values(stored('drain2')));
  await t.platform.db.insert(webhookEvents).values(stored('drain1'));
  await t.platform.jobs.enqueue(webhooks.processJob, { eventIds: ['whe_drain1'] });
  await t.platform.jobs.idle();

  assert.equal(timesHandled('wamid.drain1'), 1);
  assert.equal(timesHandled('wamid.drain2'), 1, 'the job took the event that arrived after its own');
  assert.equal(await completedJobs(), before + 1);
});
