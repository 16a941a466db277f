import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Client,
  openWindow,
  type Receiver,
  type Status,
  text,
  useSimulator,
  type World,
  waitFor,
} from './helpers.js';

/**
 * Which statuses carry `pricing` and `conversation`. Meta's status messages webhook reference says both
 * come "only with sent status, and one of either delivered or read status", and that from v24.0
 * `conversation` is omitted unless the message went out in an open free entry point window (up to
 * v23.0 its id is unique per message).
 */

let c: Client;
let rx: Receiver;
let w: World;
useSimulator((s) => {
  ({ c, rx, w } = s);
});

async function sendAndCollect(body = 'Thanks!'): Promise<{ id: string; byStatus: Map<string, Status> }> {
  const r = await c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, body));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const id: string = r.body.messages[0].id;
  const statuses = await waitFor(() => {
    const mine = rx.statuses().filter((s) => s.id === id);
    return mine.length === 3 && mine;
  }, 'sent, delivered and read');
  return { id, byStatus: new Map(statuses.map((s) => [s.status, s])) };
}

test('pricing rides sent and delivered; the read that follows comes without it', async () => {
  await openWindow(c, w);
  const { byStatus } = await sendAndCollect();
  assert.equal(byStatus.get('sent')?.pricing?.type, 'free_customer_service');
  assert.equal(byStatus.get('delivered')?.pricing?.type, 'free_customer_service');
  assert.equal(byStatus.get('read')?.pricing, undefined);
  for (const s of byStatus.values()) assert.equal(s.conversation, undefined, `${s.status}: v24.0 has none`);
});

test('a read that arrives before delivered takes the pricing instead', async () => {
  await c.control('PATCH', '/config', { statuses: { outOfOrderRate: 1 } });
  await openWindow(c, w);
  const r = await c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'Reversed'));
  const id: string = r.body.messages[0].id;
  const order = await waitFor(() => {
    const mine = rx.statuses().filter((s) => s.id === id);
    return mine.length === 3 && mine;
  }, 'three statuses');
  assert.deepEqual(
    order.map((s) => [s.status, s.pricing !== undefined]),
    [
      ['read', true],
      ['delivered', false],
      ['sent', true],
    ],
  );
});

test('a read the customer gives later is bare when delivered was priced', async () => {
  await c.control('PATCH', `/customers/${w.customer}`, { auto_read: false });
  await openWindow(c, w);
  const r = await c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'Later'));
  const id: string = r.body.messages[0].id;
  const delivered = await waitFor(
    () => rx.statuses().find((s) => s.id === id && s.status === 'delivered'),
    'delivered',
  );
  assert.ok(delivered.pricing);
  await c.control('POST', `/customers/${w.customer}/read`, {});
  const read = await waitFor(() => rx.statuses().find((s) => s.id === id && s.status === 'read'), 'read');
  assert.equal(read.pricing, undefined);
});

test('v23.0 style (`conversationObject: always`): a conversation per message, with its pricing', async () => {
  await c.control('PATCH', '/config', { statuses: { conversationObject: 'always' } });
  await openWindow(c, w);
  const first = await sendAndCollect('one');
  const second = await sendAndCollect('two');
  const sent = first.byStatus.get('sent')?.conversation as { id: string; expiration_timestamp?: string };
  const delivered = first.byStatus.get('delivered')?.conversation as {
    id: string;
    expiration_timestamp?: string;
  };
  assert.match(sent.id, /^[0-9a-f]{32}$/);
  assert.equal(delivered.id, sent.id, 'one message, one conversation id');
  assert.match(String(sent.expiration_timestamp), /^\d{10}$/);
  assert.equal(delivered.expiration_timestamp, undefined, 'expiration_timestamp only on sent');
  assert.deepEqual((delivered as Record<string, unknown>).origin, { type: 'service' });
  assert.equal(first.byStatus.get('read')?.conversation, undefined);
  const other = second.byStatus.get('sent')?.conversation as { id: string };
  assert.notEqual(other.id, sent.id, 'unique per message under per-message pricing');
});

test('inside a free entry point window the conversation comes back, one id per window', async () => {
  await c.control('POST', `/customers/${w.customer}/send`, {
    phone_number_id: w.phoneId,
    type: 'text',
    text: { body: 'from the ad' },
    referral: {},
  });
  const first = await sendAndCollect('one');
  const second = await sendAndCollect('two');
  const a = first.byStatus.get('sent')?.conversation as { id: string; origin: unknown };
  const b = second.byStatus.get('sent')?.conversation as { id: string };
  assert.deepEqual(a.origin, { type: 'referral_conversion' });
  assert.equal(a.id, b.id);
  assert.equal(first.byStatus.get('sent')?.pricing?.type, 'free_entry_point');
  assert.equal(first.byStatus.get('read')?.conversation, undefined);
});
