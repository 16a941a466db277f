import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Caller } from '../../helpers/access.js';
import { type AccessFixture, auditCount, createAccessFixture } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { allowAgentsUnassigned, hoursAgo, seedChannel, seedConversation } from './fixtures.js';

let t: TestApp;
let fx: AccessFixture;
let mine: string;
let othersConv: string;
let unassigned: string;

before(async () => {
  t = await createTestApp({ worker: false });
  fx = await createAccessFixture(t);
  const channelId = await seedChannel(t, fx.workspaceId);
  const seed = (assigneeId: string | null, unreadCount: number) =>
    seedConversation(t, fx.workspaceId, { channelId, assigneeId, unreadCount, lastInboundAt: hoursAgo(1) });
  mine = (await seed(fx.members.agent.userId, 1)).id;
  othersConv = (await seed(fx.members.manager.userId, 3)).id;
  unassigned = (await seed(null, 0)).id;
});
after(() => t.close());

const url = (path = '') => `/api/v1/workspaces/${fx.workspaceId}/conversations${path}`;

async function listIds(caller: Caller, query = ''): Promise<string[]> {
  const res = await t.inject({ method: 'GET', url: `${url()}${query}`, headers: caller.headers });
  assert.equal(res.statusCode, 200, res.body);
  return json<{ items: { id: string }[] }>(res)
    .items.map((c) => c.id)
    .sort();
}

const sorted = (...ids: string[]) => [...ids].sort();

test('an Agent sees only conversations assigned to them', async () => {
  await allowAgentsUnassigned(t, fx.workspaceId, false);
  const agent = fx.members.agent;
  assert.deepEqual(await listIds(agent), [mine]);
  assert.deepEqual(await listIds(agent, '?assignee=unassigned'), []);
  assert.deepEqual(await listIds(agent, `?assignee=${fx.members.manager.userId}`), []);
  for (const path of [`/${othersConv}`, `/${othersConv}/messages`, `/${unassigned}`]) {
    const res = await t.inject({ method: 'GET', url: url(path), headers: agent.headers });
    assert.equal(res.statusCode, 404, `${path}: ${res.body}`);
  }
  const before = await auditCount(t, fx.workspaceId);
  for (const [action, payload] of [
    ['status', { status: 'resolved' }],
    ['read', undefined],
  ] as const) {
    const res = await t.inject({
      method: 'POST',
      url: url(`/${othersConv}/${action}`),
      headers: agent.headers,
      ...(payload ? { payload } : {}),
    });
    assert.equal(res.statusCode, 404, `${action} on someone else's conversation: ${res.body}`);
  }
  assert.equal(await auditCount(t, fx.workspaceId), before, 'refused changes leave no audit rows');
  const counts = await t.inject({ method: 'GET', url: url('/counts'), headers: agent.headers });
  assert.deepEqual(json(counts), {
    mine: { open: 1, unread: 1 },
    unassigned: { open: 0, unread: 0 },
    all: { open: 1, unread: 1 },
  });
  assert.deepEqual(await listIds(fx.keys.agent), [], 'an Agent key has no assignments');
});

test('when the workspace allows it, Agents also see unassigned conversations', async () => {
  await allowAgentsUnassigned(t, fx.workspaceId, true);
  try {
    assert.deepEqual(await listIds(fx.members.agent), sorted(mine, unassigned));
    assert.deepEqual(await listIds(fx.keys.agent), [unassigned]);
    const res = await t.inject({
      method: 'GET',
      url: url(`/${othersConv}`),
      headers: fx.members.agent.headers,
    });
    assert.equal(res.statusCode, 404);
    const counts = await t.inject({ method: 'GET', url: url('/counts'), headers: fx.members.agent.headers });
    assert.deepEqual(json(counts), {
      mine: { open: 1, unread: 1 },
      unassigned: { open: 1, unread: 0 },
      all: { open: 2, unread: 1 },
    });
  } finally {
    await allowAgentsUnassigned(t, fx.workspaceId, false);
  }
});

test('a Viewer reads every conversation but cannot change any', async () => {
  const viewer = fx.members.viewer;
  assert.deepEqual(await listIds(viewer), sorted(mine, othersConv, unassigned));
  const detail = await t.inject({ method: 'GET', url: url(`/${othersConv}`), headers: viewer.headers });
  assert.equal(detail.statusCode, 200);
  const before = await auditCount(t, fx.workspaceId);
  for (const [action, payload] of [
    ['status', { status: 'resolved' }],
    ['assign', { assigneeId: null }],
    ['read', undefined],
  ] as const) {
    const res = await t.inject({
      method: 'POST',
      url: url(`/${othersConv}/${action}`),
      headers: viewer.headers,
      ...(payload ? { payload } : {}),
    });
    assert.equal(res.statusCode, 403, `viewer ${action}: ${res.body}`);
  }
  assert.equal(await auditCount(t, fx.workspaceId), before);
  const counts = await t.inject({ method: 'GET', url: url('/counts'), headers: viewer.headers });
  assert.deepEqual(json(counts), {
    mine: { open: 0, unread: 0 },
    unassigned: { open: 1, unread: 0 },
    all: { open: 3, unread: 2 },
  });
});

test('assignee=me needs a person; an unknown assignee is refused', async () => {
  const me = await t.inject({ method: 'GET', url: `${url()}?assignee=me`, headers: fx.keys.owner.headers });
  assert.equal(me.statusCode, 400, me.body);
  assert.deepEqual(await listIds(fx.members.manager, '?assignee=me'), [othersConv]);
  const stranger = await t.inject({
    method: 'GET',
    url: `${url()}?assignee=${fx.other.owner.userId}`,
    headers: fx.members.owner.headers,
  });
  assert.equal(stranger.statusCode, 422, stranger.body);
});
