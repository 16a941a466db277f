import { after, before, test } from 'node:test';
import { type AccessFixture, assertRouteAccess } from '../../helpers/access.js';
import { json, type TestApp } from '../../helpers/app.js';
import { createInboxAccessApp, hoursAgo, seedConversation, workspaceChannel } from './fixtures.js';

let t: TestApp;
let fx: AccessFixture;
const ws = '/api/v1/workspaces/:workspaceId';
const one = `${ws}/conversations/:conversationId`;

before(async () => {
  ({ t, fx } = await createInboxAccessApp());
});
after(() => t.close());

async function freshConversation(workspaceId: string) {
  const channelId = await workspaceChannel(t, workspaceId);
  const row = await seedConversation(t, workspaceId, { channelId, lastInboundAt: hoursAgo(1) });
  return { conversationId: row.id };
}

let counter = 0;
const unique = (tag: string) => `${tag}${Date.now().toString(36)}${++counter}`;

/** A resource made by the workspace's owner through the API, as each attempt needs a fresh one. */
async function created(workspaceId: string, path: string, payload: Record<string, unknown>) {
  const owner = workspaceId === fx.workspaceId ? fx.members.owner : fx.other.owner;
  const res = await t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${workspaceId}${path}`,
    headers: owner.headers,
    payload,
  });
  if (res.statusCode !== 201) throw new Error(`${path}: ${res.statusCode} ${res.body}`);
  return json<{ id: string }>(res).id;
}
const freshLabel = async (workspaceId: string) => ({
  labelId: await created(workspaceId, '/labels', { name: unique('label'), color: '#1f883d' }),
});
const freshQuickReply = async (workspaceId: string) => ({
  quickReplyId: await created(workspaceId, '/quick-replies', {
    shortcut: unique('qr'),
    body: 'Hi {{contact.name}}',
  }),
});

test('notes: staff write, everyone who reads the conversation reads them', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: `${one}/notes`, params: freshConversation });
  await assertRouteAccess(t, fx, {
    method: 'POST',
    path: `${one}/notes`,
    params: freshConversation,
    body: () => ({ body: 'Called the customer back' }),
  });
});

test('labels: everyone reads, leads manage, staff label conversations', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: `${ws}/labels` });
  await assertRouteAccess(t, fx, {
    method: 'POST',
    path: `${ws}/labels`,
    body: () => ({ name: unique('label'), color: '#0969da' }),
  });
  await assertRouteAccess(t, fx, {
    method: 'PATCH',
    path: `${ws}/labels/:labelId`,
    params: freshLabel,
    body: () => ({ color: '#cf222e' }),
  });
  await assertRouteAccess(t, fx, { method: 'DELETE', path: `${ws}/labels/:labelId`, params: freshLabel });
  await assertRouteAccess(t, fx, {
    method: 'PUT',
    path: `${one}/labels`,
    params: freshConversation,
    body: () => ({ labelIds: [] }),
  });
});

test('quick replies: everyone lists, leads manage, senders render', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: `${ws}/quick-replies` });
  await assertRouteAccess(t, fx, {
    method: 'POST',
    path: `${ws}/quick-replies`,
    body: () => ({ shortcut: unique('qr'), body: 'Thanks!' }),
  });
  await assertRouteAccess(t, fx, {
    method: 'PATCH',
    path: `${ws}/quick-replies/:quickReplyId`,
    params: freshQuickReply,
    body: () => ({ body: 'Thank you!' }),
  });
  await assertRouteAccess(t, fx, {
    method: 'DELETE',
    path: `${ws}/quick-replies/:quickReplyId`,
    params: freshQuickReply,
  });
  // The body names a conversation of the same workspace as the quick reply; params() makes both.
  let renderTarget = '';
  await assertRouteAccess(t, fx, {
    method: 'POST',
    path: `${ws}/quick-replies/:quickReplyId/render`,
    params: async (workspaceId) => {
      renderTarget = (await freshConversation(workspaceId)).conversationId;
      return freshQuickReply(workspaceId);
    },
    body: () => ({ conversationId: renderTarget }),
  });
});

test('search and auto-assignment terms', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: `${ws}/search`, query: 'q=hello' });
  await assertRouteAccess(t, fx, { method: 'GET', path: `${ws}/inbox-settings/agents` });
  await assertRouteAccess(t, fx, {
    method: 'PUT',
    path: `${ws}/inbox-settings/agents/:userId`,
    params: (workspaceId) => ({
      userId: workspaceId === fx.workspaceId ? fx.members.agent.userId : fx.other.owner.userId,
    }),
    body: () => ({ autoAssign: false, maxOpen: 5 }),
  });
});
