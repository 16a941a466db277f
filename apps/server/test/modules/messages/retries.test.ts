import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { channels, wabas } from '../../../src/modules/channels/channels.tables.js';
import { contacts } from '../../../src/modules/contacts/contacts.tables.js';
import { messages } from '../../../src/modules/messages/messages.tables.js';
import { coordinatorFor } from '../../../src/modules/messages/pacing.js';
import { deliver, stalledSendsSweeper } from '../../../src/modules/messages/send.job.js';
import { configureSending, defaultSendSettings } from '../../../src/modules/messages/send.settings.js';
import { json } from '../../helpers/app.js';
import {
  createSendWorld,
  createTenant,
  customerInbox,
  customerWithOpenWindow,
  eventually,
  messageRow,
  type SendWorld,
  send,
  settled,
  type Tenant,
} from './send-world.js';

let sw: SendWorld;
let tenant: Tenant;

before(async () => {
  sw = await createSendWorld();
  tenant = await createTenant(sw);
});
after(() => sw.close());
beforeEach(async () => {
  await sw.world.control('DELETE', '/_sim/faults');
  configureSending(sw.t.platform, {
    ...defaultSendSettings,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    pairBurst: 100,
  });
});

const fault = (body: Record<string, unknown>) => sw.world.control('POST', '/_sim/faults', body);

async function sendText(to: string, body: string, who = tenant) {
  const res = await send(sw, who, { type: 'text', to, text: { body } });
  assert.equal(res.statusCode, 202, res.body);
  return json<{ message: { id: string } }>(res).message.id;
}

test('transient failures (5xx) are retried with backoff until sent', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  await fault({ kind: 'server-error', status: 503, count: 2 });
  const id = await sendText(customer.waId, 'after two 503s');
  const row = await settled(sw, id);
  assert.ok(row.wamid, JSON.stringify(row.error));
  assert.equal(row.sendAttempts, 3);
  const inbox = await customerInbox(sw, customer.waId);
  assert.equal(inbox.filter((m) => m.id === row.wamid).length, 1);
});

test('rate-limit errors (130429, 131056) are retried', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  await fault({ kind: 'send-error', code: 130429, count: 1, phone_number_id: tenant.phoneNumberId });
  const id = await sendText(customer.waId, 'after a throttle');
  const row = await settled(sw, id);
  assert.ok(row.wamid);
  assert.equal(row.sendAttempts, 2);
});

test('permanent errors fail at once with Meta code and a readable reason', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  await fault({ kind: 'send-error', code: 131009, count: 1, phone_number_id: tenant.phoneNumberId });
  const id = await sendText(customer.waId, 'refused');
  const row = await settled(sw, id, 'failed');
  assert.equal(row.sendAttempts, 1);
  assert.equal(row.error?.code, 131009);
  assert.match(row.error?.reason ?? '', /not valid/);
  const view = await sw.t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${tenant.workspaceId}/messages/${id}`,
    headers: tenant.headers,
  });
  assert.equal(
    json<{ message: { status: string; error: { code: number } } }>(view).message.error.code,
    131009,
  );
});

test('retries stop at the attempt limit', async () => {
  configureSending(sw.t.platform, { maxAttempts: 3, breakerThreshold: 100 });
  const customer = await customerWithOpenWindow(sw, tenant);
  await fault({ kind: 'server-error', status: 500, count: 10 });
  const id = await sendText(customer.waId, 'never');
  const row = await settled(sw, id, 'failed');
  assert.equal(row.sendAttempts, 3);
  assert.match(row.error?.reason ?? '', /gave up after 3 tries/);
});

test('a failed status webhook (131026) fails the message and counts against the contact', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  await fault({ kind: 'failed-status', code: 131026, count: 1, phone_number_id: tenant.phoneNumberId });
  const id = await sendText(customer.waId, 'undeliverable');
  const row = await settled(sw, id, 'failed');
  assert.equal(row.error?.code, 131026);
  const [contact] = await sw.t.platform.db.select().from(contacts).where(eq(contacts.id, customer.contactId));
  assert.equal(contact?.undeliverableCount, 1);
});

test('a repeatedly failing number trips the circuit breaker, then recovers', async () => {
  configureSending(sw.t.platform, { breakerThreshold: 3, breakerCooldownMs: 300, maxAttempts: 10 });
  const customer = await customerWithOpenWindow(sw, tenant);
  await fault({ kind: 'server-error', status: 502, count: 3 });
  const id = await sendText(customer.waId, 'through the breaker');
  await eventually(
    () => coordinatorFor(sw.t.platform).breakerOpenMs(tenant.phoneNumberId),
    (ms) => ms > 0,
  );
  const row = await settled(sw, id);
  assert.ok(row.wamid, JSON.stringify(row.error));
  assert.equal(row.sendAttempts, 4);
});

test('190 fails the message and marks the channel and WABA needs_reauth', async () => {
  const other = await createTenant(sw);
  const customer = await customerWithOpenWindow(sw, other);
  await fault({
    kind: 'send-error',
    code: 190,
    http_status: 401,
    count: 1,
    phone_number_id: other.phoneNumberId,
  });
  const id = await sendText(customer.waId, 'dead token', other);
  const row = await settled(sw, id, 'failed');
  assert.equal(row.error?.code, 190);
  const [channel] = await sw.t.platform.db.select().from(channels).where(eq(channels.id, other.channelId));
  const [waba] = await sw.t.platform.db.select().from(wabas).where(eq(wabas.id, other.wabaRowId));
  assert.equal(channel?.status, 'needs_reauth');
  assert.equal(waba?.status, 'needs_reauth');
  const refused = await send(sw, other, { type: 'text', to: customer.waId, text: { body: 'again' } });
  assert.equal(json<{ error: { code: string } }>(refused).error.code, 'channel_needs_reauth');
});

test('a worker dying right after Meta accepted never causes a second send', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  let crashes = 0;
  configureSending(sw.t.platform, {
    afterAccepted: () => {
      crashes += 1;
      throw new Error('simulated crash: the process died before storing the wamid');
    },
  });
  const id = await sendText(customer.waId, 'sent exactly once');
  await eventually(
    async () => crashes,
    (n) => n === 1,
  );
  configureSending(sw.t.platform, { afterAccepted: undefined });
  // The row was claimed before the call; whatever re-dispatches it (sweeper, a retry) must not re-send.
  await deliver(sw.t.platform, tenant.workspaceId, id);
  await deliver(sw.t.platform, tenant.workspaceId, id);
  // The status webhook carries our id (biz_opaque_callback_data) and completes the message.
  const row = await eventually(
    () => messageRow(sw, id),
    (r) => r.wamid !== null && ['sent', 'delivered', 'read'].includes(r.status),
  );
  assert.equal(row.sendAttempts, 1);
  const inbox = await customerInbox(sw, customer.waId);
  assert.equal(
    inbox.filter((m) => (m.text as { body?: string } | undefined)?.body === 'sent exactly once').length,
    1,
  );
});

test('a send with an unknown outcome and no webhook fails after the grace period, without a re-send', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  configureSending(sw.t.platform, {
    unknownOutcomeGraceMs: 200,
    afterAccepted: () => {
      throw new Error('simulated crash');
    },
  });
  await fault({ kind: 'drop-webhooks', count: 3 });
  const id = await sendText(customer.waId, 'lost in the crash');
  await eventually(
    () => messageRow(sw, id),
    (r) => r.status === 'sending',
  );
  configureSending(sw.t.platform, { afterAccepted: undefined });
  await new Promise((resolve) => setTimeout(resolve, 250));
  await deliver(sw.t.platform, tenant.workspaceId, id);
  const row = await messageRow(sw, id);
  assert.ok(row.status === 'failed' || row.wamid !== null, `status ${row.status}`);
  const inbox = await customerInbox(sw, customer.waId);
  assert.equal(
    inbox.filter((m) => (m.text as { body?: string } | undefined)?.body === 'lost in the crash').length,
    1,
  );
});

test('a job queue that cannot take the job does not fail the answer: the sweeper sends the message', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  const jobs = sw.t.platform.jobs;
  let refused = 0;
  // Redis refusing the job after the message committed: the row is the promise, not the job.
  jobs.enqueue = async () => {
    refused += 1;
    throw new Error('simulated: Redis is down');
  };
  let id: string;
  try {
    id = await sendText(customer.waId, 'queued while Redis was down');
    await eventually(
      async () => refused,
      (n) => n === 1,
    );
  } finally {
    delete (jobs as Partial<typeof jobs>).enqueue; // back to the queue's own method
  }
  assert.equal((await messageRow(sw, id)).status, 'queued');
  // Later than the sweeper's patience: it dispatches what no queue holds, once.
  await sw.t.platform.db
    .update(messages)
    .set({ updatedAt: new Date(Date.now() - 3_600_000) })
    .where(eq(messages.id, id));
  assert.equal(await stalledSendsSweeper.sweep(sw.t.platform), 1);
  const row = await settled(sw, id);
  assert.ok(row.wamid, JSON.stringify(row.error));
  assert.equal(row.sendAttempts, 1);
});
