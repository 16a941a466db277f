import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Client,
  openWindow,
  type Receiver,
  text,
  useSimulator,
  V,
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
const msg = (type: string, content: unknown, extra: Record<string, unknown> = {}) => ({
  messaging_product: 'whatsapp',
  to: `+${w.customer}`,
  type,
  [type]: content,
  ...extra,
});

async function approvedTemplate(body: Record<string, unknown>): Promise<string> {
  const r = await c.graph('POST', `/${w.wabaId}/message_templates`, w.token, body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await c.control('POST', `/templates/${r.body.id}/status`, { status: 'APPROVED' });
  return r.body.id;
}

test('every outbound type is accepted inside the window and reaches the customer', async () => {
  await openWindow(c, w);
  const upload = new FormData();
  upload.set('messaging_product', 'whatsapp');
  upload.set('file', new Blob([Buffer.from('89504e470d0a1a0a', 'hex')], { type: 'image/png' }), 'a.png');
  const media = await c.call('POST', `/${V}/${w.phoneId}/media`, { token: w.token, form: upload });
  assert.equal(media.status, 200, JSON.stringify(media.body));
  const cases: Record<string, unknown>[] = [
    text(w, 'Hello', { context: { message_id: 'wamid.quoted' } }),
    msg('image', { link: 'https://example.com/a.jpg', caption: 'look' }),
    msg('image', { id: media.body.id }),
    msg('video', { link: 'https://example.com/a.mp4' }),
    msg('audio', { link: 'https://example.com/a.ogg' }),
    msg('document', { link: 'https://example.com/a.pdf', filename: 'a.pdf', caption: 'doc' }),
    msg('sticker', { link: 'https://example.com/a.webp' }),
    msg('location', { latitude: 52.52, longitude: 13.4, name: 'Berlin' }),
    msg('contacts', [
      { name: { formatted_name: 'Ann Lee', first_name: 'Ann' }, phones: [{ phone: '+15551234' }] },
    ]),
    msg('interactive', {
      type: 'button',
      body: { text: 'Pick one' },
      action: {
        buttons: [1, 2, 3].map((i) => ({ type: 'reply', reply: { id: `b${i}`, title: `Option ${i}` } })),
      },
    }),
    msg('interactive', {
      type: 'list',
      header: { type: 'text', text: 'Menu' },
      body: { text: 'Choose' },
      action: {
        button: 'See options',
        sections: [
          { title: 'A', rows: [{ id: 'r1', title: 'Row 1', description: 'd' }] },
          { title: 'B', rows: [{ id: 'r2', title: 'Row 2' }] },
        ],
      },
    }),
    msg('interactive', {
      type: 'cta_url',
      body: { text: 'Visit' },
      action: { name: 'cta_url', parameters: { display_text: 'Open', url: 'https://example.com' } },
    }),
  ];
  const ids: string[] = [];
  for (const body of cases) {
    const r = await send(body);
    assert.equal(r.status, 200, `${body.type}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.messaging_product, 'whatsapp');
    assert.deepEqual(r.body.contacts, [{ input: `+${w.customer}`, wa_id: w.customer }]);
    assert.match(r.body.messages[0].id, /^wamid\./);
    ids.push(r.body.messages[0].id);
  }
  const reaction = await send(msg('reaction', { message_id: ids[0], emoji: '👍' }));
  assert.equal(reaction.status, 200);
  const box = await c.control('GET', `/customers/${w.customer}/messages`);
  assert.equal(box.received.length, cases.length + 1);
  assert.equal(box.received[0].text.body, 'Hello');
  // Reactions get only a `sent` status (deliveries run in parallel: wait for it too).
  const reactionId = reaction.body.messages[0].id;
  await waitFor(
    () =>
      rx.statuses().filter((s) => s.status === 'read').length === cases.length &&
      rx.statuses().some((s) => s.id === reactionId),
    'read statuses and the reaction status',
  );
  const reactionStatuses = rx.statuses().filter((s) => s.id === reactionId);
  assert.deepEqual(
    reactionStatuses.map((s) => s.status),
    ['sent'],
  );
});

test('template send: accepted with message_status, checked for existence, approval and parameters', async () => {
  await approvedTemplate({
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['h'] } },
      { type: 'BODY', text: 'Hi {{1}}, order {{2}} shipped.', example: { body_text: [['Ann', '42']] } },
      {
        type: 'BUTTONS',
        buttons: [{ type: 'URL', text: 'Track', url: 'https://x.test/{{1}}', example: ['a'] }],
      },
    ],
  });
  const template = (components: unknown[], name = 'order_update', code = 'en_US') =>
    msg('template', { name, language: { code }, components });
  const good = [
    { type: 'header', parameters: [{ type: 'image', image: { link: 'https://x.test/i.jpg' } }] },
    {
      type: 'body',
      parameters: [
        { type: 'text', text: 'Ann' },
        { type: 'text', text: '42' },
      ],
    },
    { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'abc' }] },
  ];
  const ok = await send(template(good));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.messages[0].message_status, 'accepted');

  const missing = await send(template(good, 'nope'));
  assert.equal(missing.body.error.code, 132001);
  const wrongLanguage = await send(template(good, 'order_update', 'pt_BR'));
  assert.equal(wrongLanguage.body.error.code, 132001);
  const tooFew = await send(
    template([good[0], { type: 'body', parameters: [{ type: 'text', text: 'Ann' }] }, good[2]]),
  );
  assert.equal(tooFew.body.error.code, 132000);
  assert.match(tooFew.body.error.error_data.details, /body/);
  const wrongHeader = await send(
    template([
      { type: 'header', parameters: [{ type: 'video', video: { link: 'https://x.test/v' } }] },
      good[1],
      good[2],
    ]),
  );
  assert.equal(wrongHeader.body.error.code, 132012);
  const noButton = await send(template([good[0], good[1]]));
  assert.equal(noButton.body.error.code, 132000);

  const pending = await c.graph('POST', `/${w.wabaId}/message_templates`, w.token, {
    name: 'pending_one',
    language: 'en_US',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Sale!' }],
  });
  const notYet = await send(template([], 'pending_one'));
  assert.equal(notYet.body.error.code, 132001);
  await c.control('POST', `/templates/${pending.body.id}/status`, { status: 'PAUSED' });
  assert.equal((await send(template([], 'pending_one'))).body.error.code, 132015);
  await c.control('POST', `/templates/${pending.body.id}/status`, { status: 'DISABLED' });
  assert.equal((await send(template([], 'pending_one'))).body.error.code, 132016);
});

test('validation errors carry Meta codes and the envelope', async () => {
  await openWindow(c, w);
  const cases: [Record<string, unknown>, number][] = [
    [text(w, 'x'.repeat(4097)), 100],
    [msg('text', {}), 131008],
    [{ ...text(w, 'hi'), messaging_product: undefined }, 100],
    [{ messaging_product: 'whatsapp', type: 'text', text: { body: 'no to' } }, 131008],
    [msg('video', { link: 'https://a', id: '1' }), 131009],
    [msg('image', { id: '000000' }), 100],
    [msg('audio', { link: 'https://example.com/a.ogg', caption: 'no' }), 100],
    [msg('carousel', { x: 1 }), 100],
    [
      msg('interactive', {
        type: 'button',
        body: { text: 'x' },
        action: {
          buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', reply: { id: `b${i}`, title: `T${i}` } })),
        },
      }),
      131009,
    ],
    [
      msg('interactive', {
        type: 'button',
        body: { text: 'x' },
        action: { buttons: [1, 2].map((i) => ({ type: 'reply', reply: { id: `b${i}`, title: 'Same' } })) },
      }),
      131009,
    ],
    [
      msg('interactive', {
        type: 'button',
        body: { text: 'x' },
        action: { buttons: [{ type: 'reply', reply: { id: 'b', title: 'a title longer than twenty' } }] },
      }),
      100,
    ],
    [
      msg('interactive', {
        type: 'list',
        body: { text: 'x' },
        action: {
          button: 'Go',
          sections: [
            { title: 'S', rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `R${i}` })) },
          ],
        },
      }),
      131009,
    ],
    [
      msg('interactive', {
        type: 'list',
        body: { text: 'x' },
        action: { button: 'Go', sections: [{ title: 'S', rows: [{ id: 'r', title: 'x'.repeat(25) }] }] },
      }),
      100,
    ],
    [msg('interactive', { type: 'button', action: { buttons: [] } }), 131008],
    [msg('reaction', { emoji: '👍' }), 131008],
    [msg('location', { latitude: 1 }), 131008],
    [msg('template', { name: 'x' }), 131008],
  ];
  for (const [body, code] of cases) {
    const r = await send(body);
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 120));
    assert.equal(
      r.body.error.code,
      code,
      `${JSON.stringify(body).slice(0, 160)} → ${JSON.stringify(r.body.error)}`,
    );
    assert.equal(r.body.error.type, 'OAuthException');
    assert.match(r.body.error.message, new RegExp(`^\\(#${code}\\)`));
    assert.equal(typeof r.body.error.fbtrace_id, 'string');
    assert.equal(r.body.error.error_data.messaging_product, 'whatsapp');
    assert.equal(typeof r.body.error.error_data.details, 'string');
  }
  const unknownNumber = await c.graph('POST', '/123456789/messages', w.token, text(w, 'hi'));
  assert.equal(unknownNumber.body.error.code, 100);
  assert.equal(unknownNumber.body.error.error_subcode, 33);
  const badToken = await c.graph('POST', `/${w.phoneId}/messages`, 'bogus', text(w, 'hi'));
  assert.equal(badToken.status, 401);
  assert.equal(badToken.body.error.code, 190);
});

test('statuses follow: sent → delivered → read with per-message pricing', async () => {
  await openWindow(c, w);
  const r = await send(text(w, 'Thanks!', { biz_opaque_callback_data: 'ref-1' }));
  const id = r.body.messages[0].id;
  const statuses = await waitFor(() => {
    const s = rx.statuses().filter((x) => x.id === id);
    return s.length === 3 && s;
  }, 'three statuses');
  assert.deepEqual(
    statuses.map((s) => s.status),
    ['sent', 'delivered', 'read'],
  );
  for (const s of statuses) {
    assert.equal(s.recipient_id, w.customer);
    assert.match(s.timestamp, /^\d{10}$/);
    assert.equal((s as unknown as Record<string, unknown>).biz_opaque_callback_data, 'ref-1');
  }
  // Meta: pricing comes "only with sent status, and one of either delivered or read status".
  const [sent, delivered, read] = statuses;
  const service = {
    billable: false,
    pricing_model: 'PMP',
    type: 'free_customer_service',
    category: 'service',
  };
  assert.deepEqual(sent?.pricing, service);
  assert.deepEqual(delivered?.pricing, service);
  assert.equal(read?.pricing, undefined, 'read after delivered carries no pricing');
  // v24.0+: no conversation object outside a free entry point window.
  for (const s of statuses) assert.equal((s as unknown as Record<string, unknown>).conversation, undefined);
  const envelope = rx.received.find((x) => x.json.entry[0]?.changes[0]?.value.statuses)?.json;
  assert.equal(envelope?.object, 'whatsapp_business_account');
  assert.equal(envelope?.entry[0]?.id, w.wabaId);
  assert.deepEqual(envelope?.entry[0]?.changes[0]?.value.metadata, {
    display_phone_number: w.display,
    phone_number_id: w.phoneId,
  });
});

test('marketing template outside the window is billable; utility inside is free', async () => {
  await approvedTemplate({
    name: 'promo',
    language: 'en_US',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Sale' }],
  });
  await approvedTemplate({
    name: 'receipt',
    language: 'en_US',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Paid' }],
  });
  const promo = await send(msg('template', { name: 'promo', language: { code: 'en_US' } }));
  const sent = await waitFor(
    () => rx.statuses().find((s) => s.id === promo.body.messages[0].id && s.status === 'sent'),
    'sent',
  );
  assert.deepEqual(sent.pricing, {
    billable: true,
    pricing_model: 'PMP',
    type: 'regular',
    category: 'marketing',
  });
  await openWindow(c, w);
  const receipt = await send(msg('template', { name: 'receipt', language: { code: 'en_US' } }));
  const s2 = await waitFor(
    () => rx.statuses().find((s) => s.id === receipt.body.messages[0].id && s.status === 'sent'),
    'sent',
  );
  assert.deepEqual(s2.pricing, {
    billable: false,
    pricing_model: 'PMP',
    type: 'free_customer_service',
    category: 'utility',
  });
});

test('outside the 24-hour window a text is accepted and then fails with 131047', async () => {
  await openWindow(c, w);
  await c.control('POST', '/clock/advance', { hours: 24, seconds: 1 });
  const r = await send(text(w, 'late reply'));
  assert.equal(r.status, 200);
  const failed = await waitFor(
    () => rx.statuses().find((s) => s.id === r.body.messages[0].id),
    'failed status',
  );
  assert.equal(failed.status, 'failed');
  assert.equal(failed.errors?.[0]?.code, 131047);
  assert.equal(failed.errors?.[0]?.title, 'Re-engagement message');
  assert.equal(failed.pricing, undefined);
  const box = await c.control('GET', `/customers/${w.customer}/messages`);
  assert.equal(box.received.length, 0, 'nothing reached the phone');
});

test('an unknown recipient is accepted and fails with 131026', async () => {
  const r = await send({ ...text(w, 'hello'), to: '+4915100000000' });
  assert.equal(r.status, 200);
  assert.equal(r.body.contacts[0].wa_id, '4915100000000');
  const failed = await waitFor(
    () => rx.statuses().find((s) => s.id === r.body.messages[0].id),
    'failed status',
  );
  assert.equal(failed.status, 'failed');
  assert.equal(failed.errors?.[0]?.code, 131026);
});

test('mark as read with typing indicator; read state shows on the customer side', async () => {
  const inbound = await openWindow(c, w);
  const r = await send({
    messaging_product: 'whatsapp',
    status: 'read',
    message_id: inbound.id,
    typing_indicator: { type: 'text' },
  });
  assert.deepEqual(r.body, { success: true });
  const box = await c.control('GET', `/customers/${w.customer}/messages`);
  assert.equal(box.sent[0].read_by_business, true);
  assert.equal(box.sent[0].typing, true);
  // What the customer wrote, as their phone shows it.
  assert.deepEqual(box.sent[0].text, { body: 'hi' });
  assert.ok(!Number.isNaN(Date.parse(box.sent[0].sent_at)));
  const bad = await send({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.unknown' });
  assert.equal(bad.body.error.code, 100);
});

test('stopped marketing: user_preferences webhook, then marketing templates fail with 131050', async () => {
  await approvedTemplate({
    name: 'promo2',
    language: 'en_US',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Sale' }],
  });
  await c.control('POST', `/customers/${w.customer}/preferences`, {
    phone_number_id: w.phoneId,
    value: 'stop',
  });
  const pref = await waitFor(() => rx.changes('user_preferences')[0], 'user_preferences');
  const item = (pref.user_preferences as Record<string, unknown>[])[0];
  assert.equal(item?.wa_id, w.customer);
  assert.equal(item?.value, 'stop');
  assert.equal(item?.category, 'marketing_messages');
  const r = await send(msg('template', { name: 'promo2', language: { code: 'en_US' } }));
  const failed = await waitFor(() => rx.statuses().find((s) => s.id === r.body.messages[0].id), 'failed');
  assert.equal(failed.errors?.[0]?.code, 131050);
  // The exact text of Meta's failed-status example (fixtures/meta/webhook-status-failed.json).
  const stopped =
    'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business';
  assert.equal(failed.errors?.[0]?.title, stopped);
  assert.equal(failed.errors?.[0]?.message, stopped);
  assert.deepEqual(failed.errors?.[0]?.error_data, { details: stopped });
});

test('authentication template in Meta’s documented shape: preset body, OTP button sent as a URL parameter', async () => {
  const id = await approvedTemplate({
    name: 'otp_login',
    language: 'en_US',
    category: 'AUTHENTICATION',
    components: [
      { type: 'BODY', add_security_recommendation: true },
      { type: 'FOOTER', code_expiration_minutes: 10 },
      { type: 'BUTTONS', buttons: [{ type: 'OTP', otp_type: 'COPY_CODE', text: 'Copy code' }] },
    ],
  });
  const listed = await c.graph('GET', `/${w.wabaId}/message_templates?name=otp_login`, w.token);
  const stored = listed.body.data.find((t: { id: string }) => t.id === id);
  const comp = (type: string) => stored.components.find((x: { type: string }) => x.type === type);
  assert.equal(
    comp('BODY').text,
    '{{1}} is your verification code. For your security, do not share this code.',
  );
  assert.equal(comp('FOOTER').text, 'This code expires in 10 minutes.');
  assert.equal(comp('BUTTONS').buttons[0].type, 'URL');
  assert.match(comp('BUTTONS').buttons[0].url, /otp\{\{1\}\}$/);
  const r = await send(
    msg('template', {
      name: 'otp_login',
      language: { code: 'en_US' },
      components: [
        { type: 'body', parameters: [{ type: 'text', text: '123456' }] },
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '123456' }] },
      ],
    }),
  );
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const missing = await send(
    msg('template', {
      name: 'otp_login',
      language: { code: 'en_US' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: '123456' }] }],
    }),
  );
  assert.equal(missing.body.error.code, 132000, 'the code must also go to the button');
});
