import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { channels } from '../../../src/modules/channels/channels.tables.js';
import { contacts } from '../../../src/modules/contacts/contacts.tables.js';
import { messages } from '../../../src/modules/messages/messages.tables.js';
import { templates } from '../../../src/modules/templates/templates.tables.js';
import { newId } from '../../../src/platform/ids.js';
import { json } from '../../helpers/app.js';
import {
  createSendWorld,
  createTenant,
  customerInbox,
  customerWithOpenWindow,
  newCustomerNumber,
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

const codeOf = (res: Parameters<typeof json>[0]) =>
  json<{ error: { code: string; details?: unknown[] } }>(res).error;

async function outboundCount(workspaceId: string): Promise<number> {
  const rows = await sw.t.platform.db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.direction, 'outbound')));
  return rows.length;
}

async function insertTemplate(values: Partial<typeof templates.$inferInsert> & { name: string }) {
  await sw.t.platform.db.insert(templates).values({
    id: newId('template'),
    workspaceId: tenant.workspaceId,
    wabaId: tenant.wabaRowId,
    externalId: String(Math.floor(Math.random() * 1e15)),
    language: 'en_US',
    category: 'UTILITY',
    status: 'APPROVED',
    components: [{ type: 'BODY', text: 'Hi {{1}}, your order {{2}} is ready.' }],
    ...values,
  });
}

test('each failing pre-send check answers its own code and sends nothing', async () => {
  const open = await customerWithOpenWindow(sw, tenant);
  const closedWaId = newCustomerNumber();
  await sw.world.addCustomer(closedWaId, 'Never wrote');
  const optedOut = await customerWithOpenWindow(sw, tenant);
  await sw.t.platform.db
    .update(contacts)
    .set({ optedOutAt: new Date() })
    .where(eq(contacts.id, optedOut.contactId));
  const marketingStop = await customerWithOpenWindow(sw, tenant);
  await sw.t.platform.db
    .update(contacts)
    .set({ marketingOptedOutAt: new Date() })
    .where(eq(contacts.id, marketingStop.contactId));
  await insertTemplate({ name: 'order_ready' });
  await insertTemplate({
    name: 'big_sale',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Sale today!' }],
  });
  await insertTemplate({ name: 'pending_one', status: 'PENDING' });

  const text = (to: Record<string, string>) => ({ type: 'text', ...to, text: { body: 'hi' } });
  const template = (name: string, to: Record<string, string>, parameters?: unknown, language = 'en_US') => ({
    type: 'template',
    ...to,
    template: { name, language, ...(parameters ? { parameters } : {}) },
  });
  const before = await outboundCount(tenant.workspaceId);
  const inboxBefore = (await customerInbox(sw, open.waId)).length;

  const cases: [string, Record<string, unknown>, string, number][] = [
    ['unknown channel', { ...text({ to: open.waId }), channelId: 'ch_nope' }, 'channel_not_found', 404],
    // The channel is checked first, whatever else is wrong.
    [
      'unknown channel, bad number',
      { ...text({ to: '+12' }), channelId: 'ch_nope' },
      'channel_not_found',
      404,
    ],
    [
      'unknown channel, by contact',
      { ...text({ contactId: optedOut.contactId }), channelId: 'ch_nope' },
      'channel_not_found',
      404,
    ],
    ['invalid number', text({ to: '+12' }), 'invalid_recipient', 422],
    ['not a number', text({ to: 'abcdefg' }), 'invalid_recipient', 422],
    ['unknown contact', text({ contactId: 'ct_missing' }), 'contact_not_found', 404],
    ['opted out', text({ contactId: optedOut.contactId }), 'contact_opted_out', 422],
    [
      'opted out, template',
      template('order_ready', { contactId: optedOut.contactId }, { body: ['A', 'B'] }),
      'contact_opted_out',
      422,
    ],
    [
      'marketing stop',
      template('big_sale', { contactId: marketingStop.contactId }),
      'marketing_opted_out',
      422,
    ],
    ['outside the window', text({ to: closedWaId }), 'outside_service_window', 422],
    ['unknown template', template('nope', { to: open.waId }), 'template_not_found', 422],
    [
      'other language',
      template('order_ready', { to: open.waId }, { body: ['A', 'B'] }, 'hi'),
      'template_not_found',
      422,
    ],
    [
      'not approved',
      template('pending_one', { to: open.waId }, { body: ['A', 'B'] }),
      'template_not_approved',
      422,
    ],
    [
      'missing parameter',
      template('order_ready', { to: open.waId }, { body: ['A'] }),
      'template_parameters_invalid',
      422,
    ],
    [
      'malformed parameter',
      template('order_ready', { to: open.waId }, { body: ['A', 'B\nC'] }),
      'template_parameters_invalid',
      422,
    ],
    [
      'unknown reply target',
      { ...text({ to: open.waId }), replyTo: 'msg_unknown' },
      'reply_target_not_found',
      422,
    ],
  ];
  for (const [label, body, code, status] of cases) {
    const res = await send(sw, tenant, body);
    assert.equal(res.statusCode, status, `${label}: ${res.body}`);
    assert.equal(codeOf(res).code, code, label);
  }
  const missing = await send(sw, tenant, template('order_ready', { to: open.waId }, { body: ['A'] }));
  assert.deepEqual(codeOf(missing).details, [{ path: 'body[1]', message: '{{2}} is missing' }]);

  // A marketing stop still allows service messages.
  const service = await send(sw, tenant, text({ contactId: marketingStop.contactId }));
  assert.equal(service.statusCode, 202, service.body);

  await sw.t.platform.db
    .update(channels)
    .set({ status: 'needs_reauth' })
    .where(eq(channels.id, tenant.channelId));
  const reauth = await send(sw, tenant, text({ to: open.waId }));
  assert.equal(codeOf(reauth).code, 'channel_needs_reauth');
  await sw.t.platform.db.update(channels).set({ status: 'pending' }).where(eq(channels.id, tenant.channelId));
  const pending = await send(sw, tenant, text({ to: open.waId }));
  assert.equal(codeOf(pending).code, 'channel_not_connected');
  await sw.t.platform.db
    .update(channels)
    .set({ status: 'connected' })
    .where(eq(channels.id, tenant.channelId));

  assert.equal(await outboundCount(tenant.workspaceId), before + 1, 'only the service message was stored');
  assert.equal((await customerInbox(sw, open.waId)).length, inboxBefore, 'nothing reached the customer');
});

test('plan limit: one workspace gets 429 with Retry-After while another sends freely', async () => {
  const noisy = await createTenant(sw, { plan: 'free' });
  const calm = await createTenant(sw, { plan: 'free' });
  const noisyCustomer = await customerWithOpenWindow(sw, noisy);
  const calmCustomer = await customerWithOpenWindow(sw, calm);
  let accepted = 0;
  let limited: Parameters<typeof json>[0] | undefined;
  for (let i = 0; i < 105 && !limited; i++) {
    const res = await send(sw, noisy, { type: 'text', to: noisyCustomer.waId, text: { body: `n${i}` } });
    if (res.statusCode === 202) accepted += 1;
    else limited = res;
  }
  assert.equal(accepted, 100, 'the free plan allows 100 messages per minute');
  assert.equal(limited?.statusCode, 429);
  assert.equal(codeOf(limited!).code, 'plan_rate_limited');
  assert.ok(Number(limited?.headers['retry-after']) >= 1);
  const calmRes = await send(sw, calm, { type: 'text', to: calmCustomer.waId, text: { body: 'calm' } });
  assert.equal(calmRes.statusCode, 202, calmRes.body);
  await settled(sw, json<{ message: { id: string } }>(calmRes).message.id);
});

test('bulk sends skip a contact held back after repeated undeliverable failures', async () => {
  const { sendMessage } = await import('../../../src/modules/messages/send.service.js');
  const { systemActor } = await import('../../../src/platform/http/auth.js');
  const held = await customerWithOpenWindow(sw, tenant);
  await sw.t.platform.db
    .update(contacts)
    .set({ undeliverableCount: 3, heldUntil: new Date(Date.now() + 3600_000) })
    .where(eq(contacts.id, held.contactId));
  const message = {
    type: 'text' as const,
    channelId: tenant.channelId,
    contactId: held.contactId,
    text: { body: 'bulk' },
  };
  const bulk = await sendMessage(sw.t.platform, {
    workspaceId: tenant.workspaceId,
    actor: systemActor('test'),
    purpose: 'bulk',
    message,
  });
  assert.equal(bulk.ok ? 'sent' : bulk.refusal.code, 'contact_held');
  const direct = await sendMessage(sw.t.platform, {
    workspaceId: tenant.workspaceId,
    actor: systemActor('test'),
    message,
  });
  assert.ok(direct.ok, 'a one-to-one send is not held back');
});
