import assert from 'node:assert/strict';
import { test } from 'node:test';
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
useSimulator(
  (s) => {
    ({ c, rx } = s);
  },
  { world: false },
);

const codes = (replies: { status: number; body: { error?: { code: number } } }[]) =>
  replies.map((r) => (r.status === 200 ? 200 : (r.body.error?.code ?? r.status)));

test('throughput: the number takes its configured rate per second, then 130429', async () => {
  // A large pair burst so only throughput can trip.
  await c.control('PATCH', '/config', { pairRate: { burst: 1000 } });
  w = await setupWorld(c, rx, { throughput: 5 });
  await openWindow(c, w);
  const send = () => c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'x'));
  // Frozen time: no refill while the 8 requests are in flight, however slow the machine.
  await c.control('POST', '/clock/freeze', { frozen: true });
  const replies = await Promise.all(Array.from({ length: 8 }, send));
  const got = codes(replies);
  assert.equal(got.filter((x) => x === 200).length, 5, got.join());
  assert.equal(got.filter((x) => x === 130429).length, 3, got.join());
  const throttled = replies.find((r) => r.status !== 200);
  assert.equal(throttled?.status, 400, 'throttling answers 400 by default');
  assert.equal((await send()).body.error?.code, 130429, 'still empty while time stands still');
  await c.control('POST', '/clock/advance', { seconds: 1 });
  assert.equal((await send()).status, 200, 'refilled after a second');
  await c.control('POST', '/clock/freeze', { frozen: false });
});

test('throughput defaults: 80/s standard and 1000/s when upgraded', async () => {
  w = await setupWorld(c, rx);
  const numbers = await c.control('GET', '/phone-numbers');
  assert.equal(numbers.data[0].throughput_per_second, 80);
  await c.control('PATCH', `/phone-numbers/${w.phoneId}`, { throughput_level: 'HIGH' });
  const upgraded = await c.control('GET', '/phone-numbers');
  assert.equal(upgraded.data[0].throughput_per_second, 1000);
  assert.equal(upgraded.data[0].throughput.level, 'HIGH');
});

test('pair rate: a burst to one user, then 131056 until the interval passes', async () => {
  await c.control('PATCH', '/config', { pairRate: { burst: 3, intervalMs: 6000 }, throttleHttpStatus: 429 });
  w = await setupWorld(c, rx);
  await openWindow(c, w);
  const send = () => c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'x'));
  const got = [];
  for (let i = 0; i < 4; i += 1) got.push(await send());
  assert.deepEqual(codes(got), [200, 200, 200, 131056]);
  assert.equal(got[3]?.status, 429, 'the configured HTTP status');
  assert.equal(got[3]?.body.error.error_subcode, 2494055);
  await c.control('POST', '/customers', { wa_id: '4912300000001' });
  const other = await c.graph('POST', `/${w.phoneId}/messages`, w.token, {
    ...text(w, 'x'),
    to: '+4912300000001',
  });
  assert.equal(other.status, 200, 'another user is not affected');
  await c.control('POST', '/clock/advance', { seconds: 6 });
  assert.equal((await send()).status, 200);
  assert.equal((await send()).body.error.code, 131056, 'only one message refilled');
});

test('limits off: no throttling at all', async () => {
  await c.control('PATCH', '/config', { limitsEnabled: false });
  w = await setupWorld(c, rx, { throughput: 1 });
  await openWindow(c, w);
  const replies = await Promise.all(
    Array.from({ length: 60 }, () => c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'x'))),
  );
  assert.deepEqual([...new Set(codes(replies))], [200]);
});

test('messaging-limit tier: unique users outside the window per rolling 24 h', async () => {
  await c.control('PATCH', '/config', { unknownRecipients: 'auto-create', tierLimitErrorCode: 131048 });
  // Throughput high enough that only the tier can stop these 251 sends.
  w = await setupWorld(c, rx, { throughput: 10_000 });
  const t = await c.graph('POST', `/${w.wabaId}/message_templates`, w.token, {
    name: 'hello',
    language: 'en_US',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Hello' }],
  });
  await c.control('POST', `/templates/${t.body.id}/status`, { status: 'APPROVED' });
  const template = (to: string) =>
    c.graph('POST', `/${w.phoneId}/messages`, w.token, {
      messaging_product: 'whatsapp',
      to,
      type: 'template',
      template: { name: 'hello', language: { code: 'en_US' } },
    });
  const ids: string[] = [];
  for (let i = 0; i < 251; i += 1) {
    const r = await template(`+3361${String(i).padStart(7, '0')}`);
    assert.equal(r.status, 200);
    ids.push(r.body.messages[0].id);
  }
  const last = ids[250] as string;
  const failed = await waitFor(
    () => rx.statuses().find((s) => s.id === last && s.status === 'failed'),
    'tier failure',
    5000,
  );
  assert.equal(failed.errors?.[0]?.code, 131048);
  const firstFailed = rx.statuses().find((s) => s.id === ids[0] && s.status === 'failed');
  assert.equal(firstFailed, undefined, 'the first 250 went through');
  // The same user again does not count twice; a day later the window has rolled.
  assert.equal((await template('+33610000000')).status, 200);
  await c.control('POST', '/clock/advance', { hours: 24 });
  const later = await template('+33619999999');
  await waitFor(
    () => rx.statuses().find((s) => s.id === later.body.messages[0].id && s.status === 'sent'),
    'sent after a day',
  );
});
