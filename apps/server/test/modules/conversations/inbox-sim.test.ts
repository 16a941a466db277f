import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { conversationChanged } from '../../../src/modules/conversations/conversations.events.js';
import { conversations } from '../../../src/modules/conversations/conversations.tables.js';
import { messageQueued } from '../../../src/modules/messages/messages.events.js';
import { messages } from '../../../src/modules/messages/messages.tables.js';
import { markPresence, type PresenceLease } from '../../../src/modules/realtime/presence.js';
import { addMember, createSignedInUser } from '../../helpers/access.js';
import { approvedTemplate, templateBody } from '../billing/billing-world.js';
import {
  createSendWorld,
  createTenant,
  customerWithOpenWindow,
  eventually,
  newCustomerNumber,
  type SendWorld,
  send,
  type Tenant,
} from '../messages/send-world.js';

let sw: SendWorld;
let tenant: Tenant;
let agentId: string;
let lease: PresenceLease;

before(async () => {
  sw = await createSendWorld();
  tenant = await createTenant(sw);
  const agent = await createSignedInUser(sw.t);
  agentId = agent.userId;
  await addMember(sw.t, tenant.workspaceId, agentId, 'agent');
  lease = await markPresence(sw.t.platform, tenant.workspaceId, agentId);
  const res = await sw.t.inject({
    method: 'PATCH',
    url: `/api/v1/workspaces/${tenant.workspaceId}/inbox-settings`,
    headers: tenant.headers,
    payload: { autoAssign: true },
  });
  assert.equal(res.statusCode, 200, res.body);
});
after(async () => {
  await lease.release();
  await sw.close();
});

test("a customer's first message opens a conversation: announced, then auto-assigned to the online agent", async () => {
  const changes: { conversationId: string; change: string; assigneeId: string | null }[] = [];
  const stop = await sw.t.platform.events.subscribe(conversationChanged, (e) => changes.push(e));
  const customer = await customerWithOpenWindow(sw, tenant);
  const row = await eventually(
    async () =>
      (
        await sw.t.platform.db
          .select()
          .from(conversations)
          .where(eq(conversations.id, customer.conversationId))
      )[0],
    (r) => r?.assigneeId === agentId,
  );
  assert.equal(row?.status, 'open');
  await eventually(
    async () => changes.filter((c) => c.conversationId === customer.conversationId).length,
    (n) => n >= 2,
  );
  await stop();
  assert.deepEqual(
    changes.filter((c) => c.conversationId === customer.conversationId).map((c) => [c.change, c.assigneeId]),
    [
      ['created', null],
      ['assigned', agentId],
    ],
  );
});

test("mark read sends Meta's read receipt for the last inbound message, and it reaches the simulator", async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  await sw.world.control('POST', `/_sim/customers/${customer.waId}/send`, {
    phone_number_id: tenant.phoneNumberId,
    type: 'text',
    text: { body: 'Are you there?' },
  });
  const inbound = await eventually(
    () =>
      sw.t.platform.db
        .select()
        .from(messages)
        .where(and(eq(messages.conversationId, customer.conversationId), eq(messages.direction, 'inbound'))),
    (rows) => rows.length === 2,
  );
  const readBySim = async () => {
    const state = await sw.world.control<{ sent: { id: string; read_by_business: boolean }[] }>(
      'GET',
      `/_sim/customers/${customer.waId}/messages`,
    );
    return new Map(state.sent.map((m) => [m.id, m.read_by_business]));
  };
  const before = await readBySim();
  for (const message of inbound) assert.equal(before.get(message.wamid!), false, 'nothing read before');

  const res = await sw.t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${tenant.workspaceId}/conversations/${customer.conversationId}/read`,
    headers: tenant.headers,
  });
  assert.equal(res.statusCode, 200, res.body);
  const read = await readBySim();
  for (const message of inbound) assert.equal(read.get(message.wamid!), true, `${message.wamid} read`);
});

test('a customer writing into a resolved conversation reopens it, with a line in its history', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  const base = `/api/v1/workspaces/${tenant.workspaceId}/conversations/${customer.conversationId}`;
  const resolved = await sw.t.inject({
    method: 'POST',
    url: `${base}/status`,
    headers: tenant.headers,
    payload: { status: 'resolved' },
  });
  assert.equal(resolved.statusCode, 200, resolved.body);
  await sw.world.control('POST', `/_sim/customers/${customer.waId}/send`, {
    phone_number_id: tenant.phoneNumberId,
    type: 'text',
    text: { body: 'One more question' },
  });
  type Detail = {
    status: string;
    history: { kind: string; from: string | null; to: string | null; actor: unknown }[];
  };
  const detail = await eventually(
    async () => (await sw.t.inject({ method: 'GET', url: base, headers: tenant.headers })).json() as Detail,
    (d) => d.status === 'open',
  );
  assert.deepEqual(
    detail.history.filter((h) => h.kind === 'status').map((h) => [h.from, h.to, h.actor ?? null]),
    [
      ['open', 'resolved', detail.history.find((h) => h.to === 'resolved')?.actor],
      ['resolved', 'open', null],
    ],
  );
});

test('a conversation the business starts is announced as created before its first message', async () => {
  const events: string[] = [];
  const stopChanges = await sw.t.platform.events.subscribe(conversationChanged, (e) =>
    events.push(`${e.change}:${e.conversationId}`),
  );
  const stopQueued = await sw.t.platform.events.subscribe(messageQueued, (e) =>
    events.push(`queued:${e.conversationId}`),
  );
  await approvedTemplate(sw, tenant, 'order_update', 'UTILITY');
  const waId = newCustomerNumber();
  await sw.world.addCustomer(waId, 'New customer');
  const res = await send(sw, tenant, {
    channelId: tenant.channelId,
    ...templateBody('order_update', { to: `+${waId}` }),
  });
  const conversationId = (res.json() as { message?: { conversationId?: string } }).message?.conversationId;
  assert.ok(conversationId, res.body);
  // In scale mode the bus is Redis pub/sub: the events arrive a moment after the answer.
  const seen = await eventually(
    async () => events.filter((e) => e.endsWith(conversationId)),
    (list) => list.length >= 2,
  );
  await stopChanges();
  await stopQueued();
  assert.deepEqual(seen, [`created:${conversationId}`, `queued:${conversationId}`]);
});
