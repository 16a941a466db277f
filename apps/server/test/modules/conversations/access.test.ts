import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type AccessFixture, assertRouteAccess } from '../../helpers/access.js';
import { json, type TestApp } from '../../helpers/app.js';
import { createInboxAccessApp, hoursAgo, seedConversation, workspaceChannel } from './fixtures.js';

let t: TestApp;
let fx: AccessFixture;
const base = '/api/v1/workspaces/:workspaceId/conversations';
const one = `${base}/:conversationId`;

before(async () => {
  ({ t, fx } = await createInboxAccessApp());
});
after(() => t.close());

/** A fresh unassigned, unread conversation in the given workspace for every attempt. */
async function freshConversation(workspaceId: string) {
  const row = await seedConversation(t, workspaceId, {
    channelId: await workspaceChannel(t, workspaceId),
    unreadCount: 2,
    lastInboundAt: hoursAgo(1),
  });
  return { conversationId: row.id };
}

test('reading the inbox: every role may call, other workspaces get 404', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: base });
  await assertRouteAccess(t, fx, { method: 'GET', path: `${base}/counts` });
  await assertRouteAccess(t, fx, { method: 'GET', path: one, params: freshConversation });
  await assertRouteAccess(t, fx, { method: 'GET', path: `${one}/messages`, params: freshConversation });
});

test('changing conversations: assign for leads, status and read for staff, never for viewers', async () => {
  await assertRouteAccess(t, fx, {
    method: 'POST',
    path: `${one}/assign`,
    params: freshConversation,
    body: () => ({ assigneeId: fx.members.agent.userId }),
  });
  await assertRouteAccess(t, fx, {
    method: 'POST',
    path: `${one}/status`,
    params: freshConversation,
    body: () => ({ status: 'resolved' }),
  });
  await assertRouteAccess(t, fx, { method: 'POST', path: `${one}/read`, params: freshConversation });
});

test('inbox settings: everyone reads, leads change', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: '/api/v1/workspaces/:workspaceId/inbox-settings' });
  await assertRouteAccess(t, fx, {
    method: 'PATCH',
    path: '/api/v1/workspaces/:workspaceId/inbox-settings',
    body: () => ({ agentsSeeUnassigned: true }),
  });
  const res = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${fx.workspaceId}/inbox-settings`,
    headers: fx.members.viewer.headers,
  });
  assert.deepEqual(json(res), { agentsSeeUnassigned: true, autoAssign: false, maxOpenPerAgent: null });
});
