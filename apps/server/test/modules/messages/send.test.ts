import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { messages } from '../../../src/modules/messages/messages.tables.js';
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

type Sent = { message: { id: string; status: string } };

test('every message type reaches the simulated customer and follows Meta statuses', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  const cases: [string, Record<string, unknown>][] = [
    ['text', { text: { body: 'Your chai is on its way ☕' } }],
    ['image', { image: { link: 'https://example.com/chai.jpg', caption: 'Masala chai' } }],
    ['video', { video: { link: 'https://example.com/brew.mp4' } }],
    ['audio', { audio: { link: 'https://example.com/hello.mp3' } }],
    ['document', { document: { link: 'https://example.com/bill.pdf', filename: 'bill.pdf' } }],
    ['sticker', { sticker: { link: 'https://example.com/cup.webp' } }],
    [
      'interactive',
      {
        interactive: {
          type: 'button',
          body: { text: 'Rate your chai' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'good', title: 'Good' } },
              { type: 'reply', reply: { id: 'bad', title: 'Bad' } },
            ],
          },
        },
      },
    ],
    [
      'interactive',
      {
        interactive: {
          type: 'list',
          body: { text: 'Pick a size' },
          action: { button: 'Sizes', sections: [{ title: 'Cups', rows: [{ id: 's', title: 'Small' }] }] },
        },
      },
    ],
  ];
  const ids: string[] = [];
  for (const [type, content] of cases) {
    const res = await send(sw, tenant, { type, to: `+${customer.waId}`, ...content });
    assert.equal(res.statusCode, 202, `${type}: ${res.body}`);
    const body = json<Sent>(res);
    assert.equal(body.message.status, 'queued');
    ids.push(body.message.id);
  }
  for (const id of ids) {
    const row = await settled(sw, id);
    assert.ok(
      ['sent', 'delivered', 'read'].includes(row.status),
      `${row.type}: ${row.status} ${JSON.stringify(row.error)}`,
    );
    assert.ok(row.wamid?.startsWith('wamid.'));
  }
  await eventually(
    () => messageRow(sw, ids[0]!),
    (row) => row.status === 'read',
  );
  const inbox = await customerInbox(sw, customer.waId);
  const wamids = await Promise.all(ids.map(async (id) => (await messageRow(sw, id)).wamid));
  for (const wamid of wamids)
    assert.ok(
      inbox.some((m) => m.id === wamid),
      `customer received ${wamid}`,
    );
  assert.deepEqual(
    inbox
      .filter((m) => wamids.includes(m.id))
      .map((m) => m.type)
      .sort(),
    cases.map(([type]) => type).sort(),
  );

  const reply = await send(sw, tenant, {
    type: 'text',
    contactId: customer.contactId,
    replyTo: ids[0],
    text: { body: 'Replying to myself' },
  });
  assert.equal(reply.statusCode, 202, reply.body);
  const replyRow = await settled(sw, json<Sent>(reply).message.id);
  assert.equal(replyRow.contextWamid, wamids[0]);

  const reaction = await send(sw, tenant, {
    type: 'reaction',
    contactId: customer.contactId,
    reaction: { messageId: ids[0], emoji: '👍' },
  });
  assert.equal(reaction.statusCode, 202, reaction.body);
  const reactionRow = await settled(sw, json<Sent>(reaction).message.id);
  assert.equal(reactionRow.status, 'sent');
  const after = await customerInbox(sw, customer.waId);
  const got = after.find((m) => m.id === reactionRow.wamid);
  assert.equal((got?.reaction as { emoji?: string } | undefined)?.emoji, '👍');
});

test('media by an uploaded media id is sent with that id', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  const form = new FormData();
  form.append('messaging_product', 'whatsapp');
  form.append(
    'file',
    new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])], { type: 'image/jpeg' }),
    'a.jpg',
  );
  const token = await sw.world.control<{ access_token: string }>('POST', '/_sim/tokens', {
    app_id: sw.world.appId,
  });
  const uploaded = await fetch(`${sw.world.graph}/${tenant.phoneNumberId}/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token.access_token}` },
    body: form,
  }).then((r) => r.json() as Promise<{ id: string }>);
  assert.ok(uploaded.id, JSON.stringify(uploaded));
  const res = await send(sw, tenant, { type: 'image', to: customer.waId, image: { id: uploaded.id } });
  assert.equal(res.statusCode, 202, res.body);
  const row = await settled(sw, json<Sent>(res).message.id);
  assert.ok(row.wamid, JSON.stringify(row.error));
  const inbox = await customerInbox(sw, customer.waId);
  assert.equal((inbox.find((m) => m.id === row.wamid)?.image as { id?: string })?.id, uploaded.id);
});

test('Idempotency-Key: a repeat returns the first message and sends nothing more', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  const body = { type: 'text', to: customer.waId, text: { body: 'Exactly once' } };
  const first = await send(sw, tenant, body, { 'idempotency-key': 'order-42-confirmation' });
  const second = await send(sw, tenant, body, { 'idempotency-key': 'order-42-confirmation' });
  assert.equal(first.statusCode, 202);
  assert.equal(second.statusCode, 202);
  assert.equal(second.headers['idempotent-replayed'], 'true');
  assert.equal(json<Sent>(second).message.id, json<Sent>(first).message.id);
  const conflict = await send(
    sw,
    tenant,
    { ...body, text: { body: 'Another' } },
    { 'idempotency-key': 'order-42-confirmation' },
  );
  assert.equal(conflict.statusCode, 409);
  assert.equal(json<{ error: { code: string } }>(conflict).error.code, 'idempotency_conflict');
  await settled(sw, json<Sent>(first).message.id);
  const rows = await sw.t.platform.db
    .select()
    .from(messages)
    .where(and(eq(messages.contactId, customer.contactId), eq(messages.direction, 'outbound')));
  assert.equal(rows.length, 1);
  const inbox = await customerInbox(sw, customer.waId);
  assert.equal(
    inbox.filter((m) => (m.text as { body?: string } | undefined)?.body === 'Exactly once').length,
    1,
  );

  // A refused first try frees the key: the caller may fix the request and retry with it.
  const refused = await send(
    sw,
    tenant,
    { type: 'text', to: '+123', text: { body: 'x' } },
    { 'idempotency-key': 'k2' },
  );
  assert.equal(refused.statusCode, 422);
  const fixed = await send(
    sw,
    tenant,
    { type: 'text', to: customer.waId, text: { body: 'x' } },
    { 'idempotency-key': 'k2' },
  );
  assert.equal(fixed.statusCode, 202, fixed.body);
});

test('every send is audited with a summary, never the full content', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  const long = `Secret-free but long: ${'x'.repeat(200)}`;
  const res = await send(sw, tenant, { type: 'text', to: customer.waId, text: { body: long } });
  const id = json<Sent>(res).message.id;
  const [row] = await sw.t.platform.db.select().from(auditLog).where(eq(auditLog.resourceId, id));
  assert.equal(row?.action, 'message.queued');
  const after = row?.after as { summary: string; type: string };
  assert.equal(after.type, 'text');
  assert.ok(after.summary.length <= 61);
  assert.ok(!JSON.stringify(row).includes('x'.repeat(100)));
});

test('mark as read reaches the simulator', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  const [inbound] = await sw.t.platform.db
    .select()
    .from(messages)
    .where(and(eq(messages.contactId, customer.contactId), eq(messages.direction, 'inbound')));
  assert.ok(inbound);
  const res = await sw.t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${tenant.workspaceId}/messages/${inbound.id}/read`,
    headers: tenant.headers,
    payload: {},
  });
  assert.equal(res.statusCode, 204, res.body);
  const state = await sw.world.control<{ sent: { id: string; read_by_business: boolean }[] }>(
    'GET',
    `/_sim/customers/${customer.waId}/messages`,
  );
  assert.equal(state.sent.find((m) => m.id === inbound.wamid)?.read_by_business, true);
});

test('a STOP keyword opts the contact out and gets the confirmation reply, then sends are refused', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  await sw.world.control('POST', `/_sim/customers/${customer.waId}/send`, {
    phone_number_id: tenant.phoneNumberId,
    type: 'text',
    text: { body: 'STOP' },
  });
  await eventually(
    () => customerInbox(sw, customer.waId),
    (inbox) => inbox.some((m) => /unsubscribed/.test((m.text as { body?: string } | undefined)?.body ?? '')),
  );
  const refused = await send(sw, tenant, {
    type: 'text',
    contactId: customer.contactId,
    text: { body: 'more?' },
  });
  assert.equal(json<{ error: { code: string } }>(refused).error.code, 'contact_opted_out');
});

test('the service takes an idempotency key too (campaigns, the inbox)', async () => {
  const { sendMessage } = await import('../../../src/modules/messages/send.service.js');
  const { systemActor } = await import('../../../src/platform/http/auth.js');
  const customer = await customerWithOpenWindow(sw, tenant);
  const input = {
    workspaceId: tenant.workspaceId,
    actor: systemActor('test'),
    idempotencyKey: 'campaign-7-contact-1',
    message: {
      type: 'text' as const,
      channelId: tenant.channelId,
      contactId: customer.contactId,
      text: { body: 'Once' },
    },
  };
  const first = await sendMessage(sw.t.platform, input);
  const second = await sendMessage(sw.t.platform, input);
  assert.ok(first.ok && second.ok);
  assert.equal(second.message.id, first.message.id);
  assert.equal(second.replayed, true);
});
