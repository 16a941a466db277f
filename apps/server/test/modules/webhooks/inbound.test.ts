import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { metaJsonStringify, signBody } from '@openwaba/cloud-api';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { channels, wabas } from '../../../src/modules/channels/channels.tables.js';
import { contactOptEvents, contacts } from '../../../src/modules/contacts/contacts.tables.js';
import { conversations } from '../../../src/modules/conversations/conversations.tables.js';
import { customerServiceWindow } from '../../../src/modules/conversations/window.js';
import { messageReceived } from '../../../src/modules/messages/messages.events.js';
import { messageStatusEvents, messages } from '../../../src/modules/messages/messages.tables.js';
import { webhookEvents, webhookUnroutedNumbers } from '../../../src/modules/webhooks/webhooks.tables.js';
import { newId } from '../../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createSimWorld, type SimWorld } from '../../helpers/sim-world.js';

const WS = 'ws_inboundtest0000000000000000';
const CUSTOMER = '919876543210';
let t: TestApp;
let world: SimWorld;
let channelId: string;

before(async () => {
  world = await createSimWorld();
  t = await createTestApp({ env: world.platformEnv(), listen: true });
  await world.setCallback(`${t.url}/webhooks/whatsapp`);
  const tokenSecretId = await t.platform.vault.put(t.platform.db, WS, 'waba_token', await world.issueToken());
  const [waba] = await t.platform.db
    .insert(wabas)
    .values({ id: 'waba_inbound', workspaceId: WS, externalId: world.wabaId, tokenSecretId })
    .returning();
  const [channel] = await t.platform.db
    .insert(channels)
    .values({
      id: 'ch_inbound',
      workspaceId: WS,
      wabaId: waba!.id,
      phoneNumberId: world.phoneNumberId,
      status: 'connected',
    })
    .returning();
  channelId = channel!.id;
  await world.addCustomer(CUSTOMER, 'Priya Sharma');
});
after(async () => {
  await t.close();
  await world.close();
});

async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const messageByWamid = (wamid: string) =>
  t.platform.db
    .select()
    .from(messages)
    .where(eq(messages.wamid, wamid))
    .then((rows) => rows[0]);

test('a customer message becomes a contact, a conversation with an open window, and a message', async () => {
  const received: string[] = [];
  const off = await t.platform.events.subscribe(messageReceived, (event) => received.push(event.messageId));
  const sent = await world.customerSends(CUSTOMER, 'text', { body: 'Namaste! Is my order ready? ☕' });
  const message = await eventually(() => messageByWamid(sent.id), Boolean);
  assert.equal(message?.direction, 'inbound');
  assert.equal(message?.preview, 'Namaste! Is my order ready? ☕');
  assert.equal(message?.workspaceId, WS);
  const [contact] = await t.platform.db.select().from(contacts).where(eq(contacts.id, message!.contactId));
  assert.equal(contact?.waId, CUSTOMER);
  assert.equal(contact?.phoneE164, '+919876543210');
  assert.equal(contact?.profileName, 'Priya Sharma');
  const [conversation] = await t.platform.db
    .select()
    .from(conversations)
    .where(eq(conversations.id, message!.conversationId));
  assert.equal(conversation?.channelId, channelId);
  assert.equal(conversation?.unreadCount, 1);
  assert.ok(customerServiceWindow(conversation?.lastInboundAt).open, 'the 24-hour window is open');
  await eventually(
    async () => received,
    (ids) => ids.includes(message!.id),
  );
  await off();
});

test('every inbound type is stored with its type-specific content', async () => {
  const cases: [string, Record<string, unknown>, (content: Record<string, unknown>) => boolean][] = [
    ['image', { caption: 'my receipt' }, (c) => typeof (c.image as { id?: string }).id === 'string'],
    ['video', {}, (c) => Boolean(c.video)],
    ['audio', { voice: true }, (c) => (c.audio as { voice?: boolean }).voice === true],
    [
      'document',
      { filename: 'invoice.pdf' },
      (c) => (c.document as { filename?: string }).filename === 'invoice.pdf',
    ],
    ['sticker', {}, (c) => Boolean(c.sticker)],
    [
      'location',
      { latitude: 12.97, longitude: 77.59, name: 'Office' },
      (c) => (c.location as { name?: string }).name === 'Office',
    ],
    [
      'contacts',
      { contacts: [{ name: { formatted_name: 'Ravi' }, phones: [{ phone: '+919812345678' }] }] },
      (c) => Array.isArray(c.contacts),
    ],
    [
      'reaction',
      { emoji: '👍', message_id: 'wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSQUJDREVGMDEyMzQ1Njc4OQA=' },
      (c) => (c.reaction as { emoji?: string }).emoji === '👍',
    ],
    ['unsupported', {}, (c) => Array.isArray(c.errors)],
  ];
  for (const [type, content, check] of cases) {
    const sent = await world.customerSends(CUSTOMER, type, content);
    const message = await eventually(() => messageByWamid(sent.id), Boolean).catch(async (error) => {
      const dead = await t.platform.db.select().from(webhookEvents).where(eq(webhookEvents.status, 'dead'));
      throw new Error(`${type}: ${error.message}; dead letters: ${dead.map((d) => d.lastError).join(' | ')}`);
    });
    assert.equal(message?.type, type, `${type} stored with its type`);
    assert.ok(check(message!.content), `${type} content kept: ${JSON.stringify(message!.content)}`);
    if (['image', 'video', 'audio', 'document', 'sticker'].includes(type)) {
      assert.ok(message?.media?.metaMediaId, `${type} keeps Meta's media id`);
      const stored = await eventually(
        () => messageByWamid(sent.id),
        (row) => row?.media?.state !== 'pending',
      );
      assert.equal(stored?.media?.state, 'stored', `${type} media copied: ${stored?.media?.error ?? ''}`);
      const bytes = await t.platform.media.get(stored!.media!.storageKey!);
      assert.ok(bytes && bytes.length > 0, `${type} bytes are in the media store`);
    }
  }
});

function signedPost(payload: unknown) {
  const body = metaJsonStringify(payload);
  return t.inject({
    method: 'POST',
    url: '/webhooks/whatsapp',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, world.appSecret) },
    payload: body,
  });
}

function statusPayload(statuses: { id: string; status: string; timestamp: number; errors?: unknown[] }[]) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: world.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '918047182000', phone_number_id: world.phoneNumberId },
              statuses: statuses.map((s) => ({
                id: s.id,
                status: s.status,
                timestamp: String(s.timestamp),
                recipient_id: CUSTOMER,
                ...(s.status === 'failed'
                  ? { errors: s.errors }
                  : {
                      pricing: {
                        billable: false,
                        pricing_model: 'PMP',
                        type: 'free_customer_service',
                        category: 'service',
                      },
                    }),
              })),
            },
          },
        ],
      },
    ],
  };
}

async function outboundMessage(wamid: string) {
  const inbound = await t.platform.db.select().from(messages).where(eq(messages.workspaceId, WS)).limit(1);
  const [row] = await t.platform.db
    .insert(messages)
    .values({
      id: newId('message'),
      workspaceId: WS,
      conversationId: inbound[0]!.conversationId,
      channelId,
      contactId: inbound[0]!.contactId,
      direction: 'outbound',
      type: 'text',
      wamid,
      content: { text: { body: 'Your order is ready' } },
      status: 'queued',
      occurredAt: new Date(),
    })
    .returning();
  return row!;
}

test('statuses in every order end at the furthest one, keeping every timestamp', async () => {
  const orders = [
    ['sent', 'delivered', 'read'],
    ['read', 'delivered', 'sent'],
    ['delivered', 'read', 'sent'],
    ['read', 'sent'],
  ];
  for (const [i, order] of orders.entries()) {
    const wamid = `wamid.order${i}.HBgMOTE5ODc2NTQzMjEw`;
    await outboundMessage(wamid);
    const base = 1_764_300_000;
    const time = { sent: base, delivered: base + 5, read: base + 60 } as Record<string, number>;
    for (const status of order) {
      const res = await signedPost(statusPayload([{ id: wamid, status, timestamp: time[status]! }]));
      assert.equal(res.statusCode, 200);
    }
    await t.platform.jobs.idle();
    const message = await messageByWamid(wamid);
    assert.equal(message?.status, 'read', `order ${order.join('→')} ends at read`);
    assert.equal(message?.readAt?.getTime(), time.read! * 1000);
    assert.equal(message?.sentAt?.getTime(), time.sent! * 1000);
    if (order.includes('delivered')) assert.equal(message?.deliveredAt?.getTime(), time.delivered! * 1000);
    assert.equal(message?.pricing?.pricing_model, 'PMP');
  }
});

test('a failed status is terminal and keeps Meta’s error', async () => {
  const wamid = 'wamid.failed.HBgMOTE5ODc2NTQzMjEw';
  await outboundMessage(wamid);
  await signedPost(
    statusPayload([
      {
        id: wamid,
        status: 'failed',
        timestamp: 1_764_300_100,
        errors: [
          {
            code: 131047,
            title: 'Re-engagement message',
            error_data: { details: 'More than 24 hours have passed' },
          },
        ],
      },
      { id: wamid, status: 'delivered', timestamp: 1_764_300_101 },
    ]),
  );
  await t.platform.jobs.idle();
  const message = await messageByWamid(wamid);
  assert.equal(message?.status, 'failed');
  assert.equal(message?.error?.code, 131047);
  assert.match(String(message?.error?.details), /24 hours/);
});

test('a status for a wamid we have not stored yet is kept until its message appears', async () => {
  const wamid = 'wamid.early.HBgMOTE5ODc2NTQzMjEw';
  await signedPost(statusPayload([{ id: wamid, status: 'delivered', timestamp: 1_764_300_200 }]));
  await t.platform.jobs.idle();
  const [event] = await t.platform.db
    .select()
    .from(messageStatusEvents)
    .where(eq(messageStatusEvents.wamid, wamid));
  assert.equal(event?.status, 'delivered');
  assert.equal(event?.appliedAt, null);
});

test('duplicate and batched deliveries from the simulator store each message once', async () => {
  await world.control('PATCH', '/_sim/config', {
    statuses: { duplicateRate: 1 },
    webhooks: { batchWindowMs: 100 },
  });
  try {
    const sent = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => world.customerSends(CUSTOMER, 'text', { body: `batch ${n}` })),
    );
    for (const { id } of sent) await eventually(() => messageByWamid(id), Boolean);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await t.platform.jobs.idle();
    for (const { id } of sent) {
      const rows = await t.platform.db.select().from(messages).where(eq(messages.wamid, id));
      assert.equal(rows.length, 1, `${id} stored once`);
    }
    const events = await t.platform.db.select().from(webhookEvents);
    const batched = events.filter((event) => (event.body.match(/"wamid\./g) ?? []).length > 1);
    assert.ok(batched.length >= 1, 'at least one POST carried several messages');
  } finally {
    await world.control('PATCH', '/_sim/config', {
      statuses: { duplicateRate: 0 },
      webhooks: { batchWindowMs: 0 },
    });
  }
});

test('STOP opts the contact out with its history; START opts back in; repeats change nothing', async () => {
  const waId = '919811122233';
  await world.addCustomer(waId, 'Arjun');
  const stop = await world.customerSends(waId, 'text', { body: '  stop! ' });
  await eventually(() => messageByWamid(stop.id), Boolean);
  await t.platform.jobs.idle();
  const [contact] = await t.platform.db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, WS), eq(contacts.waId, waId)));
  assert.ok(contact?.optedOutAt, 'opted out');
  await world.customerSends(waId, 'text', { body: 'STOP' });
  await world.customerSends(waId, 'text', { body: 'बंद करो' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  await t.platform.jobs.idle();
  const start = await world.customerSends(waId, 'text', { body: 'Start' });
  await eventually(() => messageByWamid(start.id), Boolean);
  await t.platform.jobs.idle();
  const [after] = await t.platform.db.select().from(contacts).where(eq(contacts.id, contact!.id));
  assert.equal(after?.optedOutAt, null, 'opted back in');
  const history = await t.platform.db
    .select()
    .from(contactOptEvents)
    .where(eq(contactOptEvents.contactId, contact!.id));
  assert.deepEqual(history.map((event) => `${event.change}:${event.source}`).sort(), [
    'opt_in:keyword',
    'opt_out:keyword',
  ]);
  assert.ok(
    history.every((event) => event.messageId),
    'each change names the message that caused it',
  );
  const audited = await t.platform.db.select().from(auditLog).where(eq(auditLog.resourceId, contact!.id));
  assert.deepEqual(
    audited.map((row) => row.action).sort(),
    ['contact.opt_in', 'contact.opt_out'],
    'every opt change is audited',
  );
});

test('a marketing stop from WhatsApp (user_preferences) opts out of marketing only', async () => {
  const waId = '919800011122';
  await world.addCustomer(waId, 'Meera');
  await world.customerSends(waId, 'text', { body: 'hello' });
  await world.control('POST', `/_sim/customers/${waId}/preferences`, {
    phone_number_id: world.phoneNumberId,
    value: 'stop',
  });
  const contact = await eventually(
    async () =>
      (
        await t.platform.db
          .select()
          .from(contacts)
          .where(and(eq(contacts.workspaceId, WS), eq(contacts.waId, waId)))
      )[0],
    (row) => Boolean(row?.marketingOptedOutAt),
  );
  assert.equal(contact?.optedOutAt, null, 'still reachable for non-marketing messages');
});

test('items for a number no workspace connected are recorded and skipped, not retried', async () => {
  const payload = statusPayload([{ id: 'wamid.nobody', status: 'sent', timestamp: 1_764_300_300 }]);
  const value = payload.entry[0]!.changes[0]!.value as { metadata: { phone_number_id: string } };
  value.metadata.phone_number_id = '999000111222333';
  await signedPost(payload);
  await t.platform.jobs.idle();
  const [unrouted] = await t.platform.db
    .select()
    .from(webhookUnroutedNumbers)
    .where(eq(webhookUnroutedNumbers.phoneNumberId, '999000111222333'));
  assert.equal(unrouted?.items, 1);
  const rows = await t.platform.db.select().from(webhookEvents).where(eq(webhookEvents.status, 'processed'));
  assert.ok(
    rows.some((row) => row.body.includes('999000111222333')),
    'the event is processed, not failing',
  );
});

test('media that cannot be fetched is marked failed on its message, which stays readable', async () => {
  const payload = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: world.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '918047182000', phone_number_id: world.phoneNumberId },
              contacts: [{ profile: { name: 'Priya Sharma' }, wa_id: CUSTOMER }],
              messages: [
                {
                  from: CUSTOMER,
                  id: 'wamid.missingmedia.HBgMOTE5ODc2NTQzMjEw',
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'image',
                  image: { id: '1234567890999', mime_type: 'image/jpeg', sha256: 'abc=', caption: 'lost' },
                },
              ],
            },
          },
        ],
      },
    ],
  };
  assert.equal((await signedPost(payload)).statusCode, 200);
  const message = await eventually(
    () => messageByWamid('wamid.missingmedia.HBgMOTE5ODc2NTQzMjEw'),
    (row) => row?.media?.state === 'failed',
    20_000,
  );
  assert.equal(message?.preview, 'lost', 'the message itself is stored and readable');
  assert.ok(message?.media?.error, 'the failure is visible on the message');
});
