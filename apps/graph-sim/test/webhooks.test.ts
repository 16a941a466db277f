import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifySignature } from '@openwaba/cloud-api';
import {
  type Client,
  openWindow,
  type Receiver,
  setupWorld,
  text,
  useSimulator,
  type World,
  waitFor,
} from './helpers.js';

let c: Client;
let rx: Receiver;
let w: World;
useSimulator((s) => {
  ({ c, rx, w } = s);
});

const send = (body: Record<string, unknown>) => c.graph('POST', `/${w.phoneId}/messages`, w.token, body);

test('signature verifies over the raw bytes of a payload with emoji and accented text', async () => {
  await c.control('POST', `/customers/${w.customer}/send`, {
    phone_number_id: w.phoneId,
    type: 'text',
    text: { body: 'Olá, café às 5? 👋🏽 Ünïcödé / slash' },
  });
  const got = await waitFor(() => rx.received[0], 'inbound webhook');
  const raw = got.raw.toString('latin1');
  // Meta escapes non-ASCII as \uXXXX (surrogate pairs for emoji) and `/` as `\/`: the bytes are pure ASCII.
  assert.ok(/^[\x20-\x7e]*$/.test(raw), 'body is ASCII only');
  assert.match(raw, /Ol\\u00e1, caf\\u00e9/);
  assert.match(raw, /\\ud83d\\udc4b\\ud83c\\udffd/);
  assert.match(raw, /\\\/ slash/);
  assert.match(raw, /Zo\\u00eb \\u00d1\\u00fa\\u00f1ez/, 'profile name escaped too');
  const header = got.headers['x-hub-signature-256'] as string;
  assert.match(header, /^sha256=[0-9a-f]{64}$/);
  assert.ok(verifySignature(got.raw, header, w.secret), 'signature matches the raw bytes');
  // Re-serialising the parsed JSON gives other bytes, so its signature would not match.
  assert.equal(verifySignature(JSON.stringify(got.json), header, w.secret), false);
  assert.equal(verifySignature(got.raw, header, 'other-secret'), false);
  const message = got.json.entry[0]?.changes[0]?.value.messages?.[0];
  assert.deepEqual(message?.text, { body: 'Olá, café às 5? 👋🏽 Ünïcödé / slash' });
  assert.equal(got.headers['content-type'], 'application/json');
});

test('out-of-order delivery when asked: read arrives before delivered', async () => {
  // Emissions ~100 ms apart: at the suite's usual 10 ms, two POSTs in flight on a loaded machine could
  // arrive swapped, and arrival order is what this test reads.
  await c.control('PATCH', '/config', {
    statuses: { outOfOrderRate: 1, sentDelayMs: 5, deliveredDelayMs: 100, readDelayMs: 200 },
  });
  await openWindow(c, w);
  const r = await send(text(w, 'hi'));
  const id = r.body.messages[0].id;
  const order = await waitFor(() => {
    const s = rx.statuses().filter((x) => x.id === id);
    return s.length === 3 && s.map((x) => x.status);
  }, 'three statuses');
  assert.deepEqual(order, ['read', 'delivered', 'sent']);
  // The simulator's own record still only moved forward.
  const log = await c.control('GET', `/messages?to=${w.customer}`);
  assert.equal(log.data[0].status, 'read');
});

test('duplicates when asked: the same bytes arrive twice', async () => {
  await c.control('PATCH', '/config', { statuses: { duplicateRate: 1 } });
  await openWindow(c, w);
  await waitFor(() => rx.received.length === 2, 'two copies');
  assert.equal(rx.received[0]?.raw.toString(), rx.received[1]?.raw.toString());
  assert.equal(
    rx.received[0]?.headers['x-hub-signature-256'],
    rx.received[1]?.headers['x-hub-signature-256'],
  );
  const log = await c.control('GET', '/webhooks/deliveries');
  assert.equal(log.data.filter((e: { duplicate: boolean }) => e.duplicate).length, 1);
});

test('batching when asked: several statuses, messages and WABAs in one POST', async () => {
  const w2 = await setupWorld(c, rx);
  // Both WABAs subscribe the same app so their updates can share a POST.
  await c.graph('POST', `/${w2.wabaId}/subscribed_apps`, await adminToken(w.appId));
  await c.control('PATCH', '/config', { webhooks: { batchWindowMs: 60_000 } });
  await openWindow(c, w);
  await openWindow(c, w2);
  await send(text(w, 'one'));
  await send(text(w, 'two'));
  await c.control('POST', '/clock/advance', { ms: 100 });
  await c.control('POST', '/webhooks/flush');
  const all = await waitFor(() => rx.received.length > 0 && rx.received, 'a batch');
  const payload = all.find((r) => r.json.entry.length === 2)?.json;
  assert.ok(payload, `a POST with two entries: ${JSON.stringify(all.map((r) => r.json))}`);
  const ours = payload.entry.find((e) => e.id === w.wabaId);
  const change = ours?.changes.find((ch) => ch.value.statuses);
  assert.ok((change?.value.statuses?.length ?? 0) >= 4, 'statuses of both messages in one change');
  assert.ok(
    ours?.changes.some((ch) => ch.value.messages),
    'the inbound message rides along',
  );
});

async function adminToken(appId: string): Promise<string> {
  const t = await c.control('POST', '/tokens', { app_id: appId });
  return t.access_token;
}

test('non-200 answers are retried with backoff and the retry log shows it', async () => {
  rx.status = 500;
  await openWindow(c, w);
  const failed = await pollLog((entries) => {
    const f = entries.filter((e) => e.outcome === 'failed');
    return f.length >= 2 && f;
  });
  assert.equal(failed[0]?.status_code, 500);
  assert.equal(failed[0]?.attempt, 1);
  assert.equal(failed[1]?.attempt, 2);
  assert.ok(failed[0]?.next_attempt_at);
  const gap = Date.parse(String(failed[1]?.at)) - Date.parse(String(failed[0]?.at));
  assert.ok(gap >= 25, `backoff between attempts: ${gap}ms`);
  rx.status = 200;
  await waitFor(() => rx.received.length === 1, 'finally delivered');
  const delivered = await pollLog((entries) => entries.find((e) => e.outcome === 'delivered'));
  assert.ok(Number(delivered.attempt) >= 3);
  assert.equal(delivered.delivery_id, failed[0]?.delivery_id, 'the same delivery, retried');
});

type LogEntry = Record<string, unknown> & { outcome: string };
async function pollLog<T>(probe: (entries: LogEntry[]) => T | undefined | false): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const log = await c.control('GET', '/webhooks/deliveries');
    const v = probe(log.data);
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the delivery log never matched');
}

test('retries give up after the configured maximum age', async () => {
  await c.control('PATCH', '/config', { webhooks: { retryInitialMs: 1000, retryMaxAgeMs: 5000 } });
  rx.status = 503;
  await openWindow(c, w);
  await waitForLog('failed');
  // Jump the clock through the backoff: 1 s, 2 s, then the next (4 s) would pass the 5 s limit.
  for (let i = 0; i < 4; i += 1) {
    await c.control('POST', '/clock/advance', { seconds: 4 });
    await new Promise((r) => setTimeout(r, 30));
  }
  const log = await waitForLog('abandoned');
  assert.equal(log.outcome, 'abandoned');
});

function waitForLog(outcome: string): Promise<LogEntry> {
  return pollLog((entries) => entries.find((e) => e.outcome === outcome));
}

test('template status changes and phone quality updates arrive as webhooks', async () => {
  await c.control('PATCH', `/phone-numbers/${w.phoneId}`, { messaging_limit_tier: 'TIER_2K' });
  const q = await waitFor(() => rx.changes('phone_number_quality_update')[0], 'quality update');
  assert.deepEqual(q, { display_phone_number: w.display, event: 'UPGRADE', current_limit: 'TIER_2K' });
  const entry = rx.received[0]?.json.entry[0];
  assert.equal(typeof entry?.time, 'number');
});

test('an error tied to no message arrives at value.errors, signed like every webhook', async () => {
  const made = await c.control('POST', `/phone-numbers/${w.phoneId}/errors`, {
    code: 131000,
    details: 'Service unavailable, try again later.',
  });
  const got = await waitFor(() => rx.received[0], 'errors webhook');
  assert.ok(verifySignature(got.raw, got.headers['x-hub-signature-256'] as string, w.secret));
  assert.equal(got.json.entry[0]?.id, w.wabaId);
  const change = got.json.entry[0]?.changes[0];
  assert.equal(change?.field, 'messages');
  // Metadata and errors only: no statuses, messages or contacts.
  assert.deepEqual(Object.keys(change?.value ?? {}), ['messaging_product', 'metadata', 'errors']);
  assert.deepEqual(change?.value.metadata, { display_phone_number: w.display, phone_number_id: w.phoneId });
  const expected = {
    code: 131000,
    title: 'Something went wrong',
    message: 'Something went wrong',
    error_data: { details: 'Service unavailable, try again later.' },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
  assert.deepEqual(change?.value.errors, [expected]);
  assert.deepEqual(made.error, expected);
  // Without details, Meta's documented text for the code.
  await c.control('POST', `/phone-numbers/${w.phoneId}/errors`, { code: 130429 });
  const second = await waitFor(() => rx.received[1], 'second errors webhook');
  const errors = second.json.entry[0]?.changes[0]?.value.errors as { error_data: unknown }[] | undefined;
  assert.deepEqual(errors?.[0]?.error_data, { details: 'Cloud API message throughput has been reached.' });
});

test('value.errors for an unknown number is a control-API 404', async () => {
  const r = await c.call('POST', '/_sim/phone-numbers/999/errors', { body: { code: 131000 } });
  assert.equal(r.status, 404);
  assert.equal(rx.received.length, 0);
});
