import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Client, type Receiver, text, useSimulator, type World, waitFor } from './helpers.js';

let c: Client;
let rx: Receiver;
let w: World;
useSimulator((s) => {
  ({ c, rx, w } = s);
});

const customerSends = (body: Record<string, unknown>) =>
  c.control('POST', `/customers/${w.customer}/send`, { phone_number_id: w.phoneId, ...body });

test('virtual customers send every inbound type in Meta’s shapes', async () => {
  // A business message first, so replies have something to quote.
  await customerSends({ type: 'text', text: { body: 'hi' } });
  const out = await c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'Pick one'));
  const quoted = out.body.messages[0].id;
  const inputs: Record<string, unknown>[] = [
    { type: 'image', image: { caption: 'pic' } },
    { type: 'video', video: {} },
    { type: 'audio', audio: { voice: true } },
    { type: 'document', document: { filename: 'a.pdf' } },
    { type: 'sticker', sticker: {} },
    { type: 'location', location: { latitude: 38.7, longitude: -9.1, name: 'Lisboa', address: 'Praça' } },
    {
      type: 'contacts',
      contacts: [{ name: { formatted_name: 'Ann' }, phones: [{ phone: '+1555', wa_id: '1555' }] }],
    },
    { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'b1', title: 'Yes' } } },
    {
      type: 'interactive',
      interactive: { type: 'list_reply', list_reply: { id: 'r1', title: 'Row', description: 'd' } },
    },
    { type: 'button', button: { payload: 'STOP_PROMOS', text: 'Stop promotions' } },
    { type: 'reaction', reaction: { message_id: quoted, emoji: '❤️' } },
    {
      type: 'order',
      order: {
        catalog_id: '42',
        text: 'thanks',
        product_items: [{ product_retailer_id: 'sku1', quantity: 2, item_price: 9.5, currency: 'EUR' }],
      },
    },
    {
      type: 'text',
      text: { body: 'I saw your ad' },
      referral: { source_type: 'ad', headline: 'Spring sale' },
    },
    { type: 'unsupported', unsupported: { type: 'edit' } },
    { type: 'text', text: { body: 'STOP' } },
  ];
  for (const input of inputs) await customerSends(input);
  const messages = await waitFor(() => {
    const m = rx.messages();
    return m.length === inputs.length + 1 && m;
  }, 'all inbound messages');
  for (const m of messages) {
    assert.equal(m.from, w.customer);
    assert.match(m.id, /^wamid\./);
    assert.match(m.timestamp, /^\d{10}$/);
  }
  const byType = (t: string) => messages.filter((m) => m.type === t);
  const part = (v: unknown): Record<string, unknown> => {
    assert.ok(v && typeof v === 'object', 'an object');
    return v as Record<string, unknown>;
  };
  const image = part(byType('image')[0]?.image);
  assert.equal(image.caption, 'pic');
  assert.match(String(image.sha256), /^[A-Za-z0-9+/]{43}=$/, 'base64 SHA-256, as Meta writes it');
  assert.equal(part(byType('audio')[0]?.audio).voice, true);
  assert.equal(part(byType('location')[0]?.location).name, 'Lisboa');
  const [buttonReply, listReply] = byType('interactive');
  assert.deepEqual(
    buttonReply?.context,
    { from: w.display, id: quoted },
    'replies quote the business message',
  );
  assert.equal(part(listReply?.interactive).type, 'list_reply');
  assert.deepEqual(byType('button')[0]?.button, { payload: 'STOP_PROMOS', text: 'Stop promotions' });
  assert.deepEqual(byType('reaction')[0]?.reaction, { message_id: quoted, emoji: '❤️' });
  assert.equal(part(byType('order')[0]?.order).catalog_id, '42');
  const referral = part(messages.find((m) => m.referral)?.referral);
  assert.equal(referral.source_type, 'ad');
  assert.equal(referral.headline, 'Spring sale');
  assert.ok(referral.ctwa_clid);
  const unsupported = byType('unsupported')[0];
  assert.equal((part(unsupported).errors as { code: number }[])[0]?.code, 131051);
  assert.equal((part(unsupported).errors as { title: string }[])[0]?.title, 'Message type unknown');
  assert.equal(messages.at(-1)?.type, 'text');
  // The contact block names the customer.
  const value = rx.received[0]?.json.entry[0]?.changes[0]?.value;
  assert.deepEqual(value?.contacts, [{ profile: { name: 'Zoë Ñúñez' }, wa_id: w.customer }]);
});

test('after an ad referral, messages ride the free entry point', async () => {
  await customerSends({ type: 'text', text: { body: 'from ad' }, referral: {} });
  const r = await c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'Welcome'));
  const sent = await waitFor(
    () => rx.statuses().find((s) => s.id === r.body.messages[0].id && s.status === 'sent'),
    'sent',
  );
  assert.deepEqual(sent.pricing, {
    billable: false,
    pricing_model: 'PMP',
    type: 'free_entry_point',
    category: 'service',
  });
  assert.deepEqual(sent.conversation?.origin, { type: 'referral_conversion' });
});

test('customers who do not auto-read produce read statuses when told to read', async () => {
  await c.control('PATCH', `/customers/${w.customer}`, { auto_read: false });
  await customerSends({ type: 'text', text: { body: 'hi' } });
  const r = await c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'hello'));
  const id = r.body.messages[0].id;
  await waitFor(() => rx.statuses().find((s) => s.id === id && s.status === 'delivered'), 'delivered');
  assert.equal(
    rx.statuses().find((s) => s.id === id && s.status === 'read'),
    undefined,
  );
  const read = await c.control('POST', `/customers/${w.customer}/read`, {});
  assert.deepEqual(read.read, [id]);
  await waitFor(() => rx.statuses().find((s) => s.id === id && s.status === 'read'), 'read');
  const box = await c.control('GET', `/customers/${w.customer}/messages`);
  assert.equal(box.received[0].status, 'read');
});

test('caller-chosen ids replay a recorded setup', async () => {
  await c.control('POST', '/reset');
  rx.clear();
  await c.control('POST', '/apps', { id: '1234567890', secret: 'sec', callback_url: rx.url });
  await c.control('POST', '/businesses', { id: '777' });
  await c.control('POST', '/wabas', {
    id: '102290129340398',
    business_id: '777',
    subscribed_app_ids: ['1234567890'],
  });
  await c.control('POST', '/phone-numbers', {
    id: '106540352242922',
    waba_id: '102290129340398',
    display_phone_number: '15550783881',
  });
  await c.control('POST', '/customers', { wa_id: '16505551234', name: 'Kerry Fisher' });
  const dup = await c.call('POST', '/_sim/phone-numbers', {
    body: { id: '106540352242922', waba_id: '102290129340398' },
  });
  assert.equal(dup.status, 409);
  await c.control('POST', '/customers/16505551234/send', {
    phone_number_id: '106540352242922',
    type: 'text',
    text: { body: 'Hello' },
  });
  const got = await waitFor(() => rx.received[0], 'webhook');
  assert.equal(got.json.entry[0]?.id, '102290129340398');
  assert.deepEqual(got.json.entry[0]?.changes[0]?.value.metadata, {
    display_phone_number: '15550783881',
    phone_number_id: '106540352242922',
  });
});
