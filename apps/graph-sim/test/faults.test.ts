import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import {
  type Client,
  openWindow,
  type Receiver,
  setupWorld,
  sleep,
  startAll,
  text,
  type World,
  waitFor,
} from './helpers.js';

let c: Client;
let rx: Receiver;
let w: World;
let close: () => Promise<void>;

before(async () => {
  const s = await startAll();
  c = s.c;
  rx = s.rx;
  close = async () => {
    await s.sim.close();
    await rx.close();
  };
});
after(() => close());
beforeEach(async () => {
  await c.control('POST', '/reset');
  rx.clear();
  w = await setupWorld(c, rx);
  await openWindow(c, w);
});

const send = () => c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'x'));

test('next N sends fail with the chosen code, then sends work again', async () => {
  const fault = await c.control('POST', '/faults', { kind: 'send-error', code: 131057, count: 2 });
  assert.match(fault.id, /^fault_/);
  const a = await send();
  const b = await send();
  assert.equal(a.body.error.code, 131057);
  assert.equal(a.body.error.message, '(#131057) Account in maintenance mode');
  assert.equal(b.body.error.code, 131057);
  assert.equal((await send()).status, 200);
  const left = await c.control('GET', '/faults');
  assert.equal(left.data.length, 0, 'the fault wore off');
});

test('failed-status fault: accepted, then a failed status with the code', async () => {
  await c.control('POST', '/faults', { kind: 'failed-status', code: 131049 });
  const r = await send();
  assert.equal(r.status, 200);
  const s = await waitFor(() => rx.statuses().find((x) => x.id === r.body.messages[0].id), 'failed status');
  assert.equal(s.status, 'failed');
  assert.equal(s.errors?.[0]?.code, 131049);
});

test('5xx and latency faults hit the Graph API, not the control API', async () => {
  await c.control('POST', '/faults', { kind: 'server-error', status: 503, count: 1 });
  const down = await send();
  assert.equal(down.status, 503);
  assert.equal(down.body.error.code, 2);
  assert.equal(down.body.error.is_transient, true);
  assert.equal((await send()).status, 200);

  await c.control('POST', '/faults', { kind: 'latency', ms: 150, count: 1 });
  const started = Date.now();
  assert.equal((await send()).status, 200);
  assert.ok(Date.now() - started >= 140, 'the send was slowed');
});

test('dropped webhooks never arrive; callback down makes deliveries fail and retry', async () => {
  await sleep(30);
  rx.clear();
  await c.control('POST', '/faults', { kind: 'drop-webhooks', count: 100 });
  const r = await send();
  await sleep(80);
  assert.equal(rx.statuses().filter((s) => s.id === r.body.messages[0].id).length, 0);
  const log = await c.control('GET', '/webhooks/deliveries?outcome=dropped');
  assert.ok(log.data.length >= 1);

  await c.control('DELETE', '/faults');
  await c.control('POST', '/faults', { kind: 'callback-down', app_id: w.appId });
  const r2 = await send();
  let entries: { outcome: string; error?: string }[] = [];
  for (let i = 0; i < 100 && !entries.some((e) => e.outcome === 'failed'); i += 1) {
    entries = (await c.control('GET', '/webhooks/deliveries')).data;
    await sleep(10);
  }
  const failedEntry = entries.find((e) => e.outcome === 'failed');
  assert.match(String(failedEntry?.error), /callback down/);
  await c.control('DELETE', '/faults');
  await waitFor(
    () => rx.statuses().find((s) => s.id === r2.body.messages[0].id),
    'delivered after the callback came back',
  );
});

test('reset clears faults, world and clock offset', async () => {
  await c.control('POST', '/faults', { kind: 'send-error', code: 131000, count: 5 });
  await c.control('POST', '/clock/advance', { hours: 1 });
  await c.control('POST', '/reset');
  const faults = await c.control('GET', '/faults');
  assert.deepEqual(faults.data, []);
  const clock = await c.control('GET', '/clock');
  assert.equal(clock.offset_ms, 3_600_000, 'time does not go back');
  assert.equal(clock.pending_timers, 0);
  assert.equal(clock.frozen, false);
  const frozen = await c.control('POST', '/clock/freeze', { frozen: true });
  assert.equal(frozen.frozen, true, 'the clock says whether it is frozen');
  assert.equal((await c.control('GET', '/clock')).frozen, true);
  await c.control('POST', '/clock/freeze', { frozen: false });
  const again = await c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'x'));
  assert.equal(again.body.error.code, 190, 'the token is gone with the world');
});

test('control API rejects bad faults', async () => {
  const r = await c.call('POST', '/_sim/faults', { body: { kind: 'meteor' } });
  assert.equal(r.status, 400);
});
