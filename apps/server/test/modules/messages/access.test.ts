import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { messages } from '../../../src/modules/messages/messages.tables.js';
import { type AccessFixture, assertRouteAccess, createAccessFixture } from '../../helpers/access.js';
import { createSendWorld, createTenant, customerWithOpenWindow, type SendWorld } from './send-world.js';

let sw: SendWorld;
let fx: AccessFixture;
const customers = new Map<string, { waId: string; contactId: string; channelId: string }>();

before(async () => {
  sw = await createSendWorld();
  fx = await createAccessFixture(sw.t);
  for (const workspaceId of [fx.workspaceId, fx.other.workspaceId]) {
    const tenant = await createTenant(sw, { workspaceId });
    const customer = await customerWithOpenWindow(sw, tenant);
    customers.set(workspaceId, { ...customer, channelId: tenant.channelId });
  }
});
after(() => sw.close());

async function inboundMessageOf(workspaceId: string): Promise<Record<string, string>> {
  const customer = customers.get(workspaceId)!;
  const [row] = await sw.t.platform.db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.contactId, customer.contactId),
        eq(messages.direction, 'inbound'),
      ),
    );
  return { messageId: row!.id };
}

test('POST messages: cross-workspace 404 and per-role checks', async () => {
  const customer = customers.get(fx.workspaceId)!;
  await assertRouteAccess(sw.t, fx, {
    method: 'POST',
    path: '/api/v1/workspaces/:workspaceId/messages',
    body: () => ({
      type: 'text',
      channelId: customer.channelId,
      to: customer.waId,
      text: { body: 'role check' },
    }),
  });
});

test('GET a message: cross-workspace 404 and per-role checks', async () => {
  await assertRouteAccess(sw.t, fx, {
    method: 'GET',
    path: '/api/v1/workspaces/:workspaceId/messages/:messageId',
    params: inboundMessageOf,
  });
});

test('mark as read: cross-workspace 404 and per-role checks', async () => {
  await assertRouteAccess(sw.t, fx, {
    method: 'POST',
    path: '/api/v1/workspaces/:workspaceId/messages/:messageId/read',
    params: inboundMessageOf,
    body: () => ({}),
  });
});
