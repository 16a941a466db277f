import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { autoAssign, roundRobin } from '../../../src/modules/conversations/auto-assign.js';
import { conversationChanged } from '../../../src/modules/conversations/conversations.events.js';
import { conversations } from '../../../src/modules/conversations/conversations.tables.js';
import { markPresence, type PresenceLease } from '../../../src/modules/realtime/presence.js';
import { addMember, createSignedInUser, createWorkspaceWithOwner } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { eventually } from '../messages/send-world.js';
import { seedChannel, seedConversation } from './fixtures.js';

let t: TestApp;
const leases: PresenceLease[] = [];

before(async () => {
  t = await createTestApp({ worker: false });
});
after(async () => {
  for (const lease of leases) await lease.release();
  await t.close();
});

/** A workspace with auto-assignment on, three agents (ids sorted a < b < c) and a viewer. */
async function team(settings: { maxOpenPerAgent?: number | null } = {}) {
  const { workspaceId, owner } = await createWorkspaceWithOwner(t);
  const agents: string[] = [];
  for (let i = 0; i < 3; i++) {
    const user = await createSignedInUser(t);
    await addMember(t, workspaceId, user.userId, 'agent');
    agents.push(user.userId);
  }
  agents.sort();
  const viewer = await createSignedInUser(t);
  await addMember(t, workspaceId, viewer.userId, 'viewer');
  const res = await t.inject({
    method: 'PATCH',
    url: `/api/v1/workspaces/${workspaceId}/inbox-settings`,
    headers: owner.headers,
    payload: { autoAssign: true, maxOpenPerAgent: settings.maxOpenPerAgent ?? null },
  });
  assert.equal(res.statusCode, 200, res.body);
  const channelId = await seedChannel(t, workspaceId);
  return { workspaceId, owner, agents, viewer: viewer.userId, channelId };
}

async function online(workspaceId: string, ...userIds: string[]) {
  for (const userId of userIds) leases.push(await markPresence(t.platform, workspaceId, userId));
}

async function newConversations(workspaceId: string, channelId: string, n: number) {
  const rows = [];
  for (let i = 0; i < n; i++) rows.push(await seedConversation(t, workspaceId, { channelId }));
  return rows.map((r) => r.id);
}

async function assigneesOf(ids: string[]) {
  const out: (string | null)[] = [];
  for (const id of ids) {
    const [row] = await t.platform.db.select().from(conversations).where(eq(conversations.id, id));
    out.push(row?.assigneeId ?? null);
  }
  return out;
}

test('round-robin order: continues after the last pick, wraps, skips those at their cap', () => {
  const c = (userId: string, open = 0, cap: number | null = null) => ({ userId, open, cap });
  assert.deepEqual(roundRobin([c('b'), c('a'), c('c')], null, 4), { picks: ['a', 'b', 'c', 'a'], last: 'a' });
  assert.deepEqual(roundRobin([c('a'), c('b'), c('c')], 'b', 2).picks, ['c', 'a']);
  // The last pick may have left the rotation: continue with whoever follows them.
  assert.deepEqual(roundRobin([c('a'), c('c')], 'b', 1).picks, ['c']);
  assert.deepEqual(roundRobin([c('a', 1, 2), c('b', 2, 2), c('c', 0, 1)], null, 4).picks, [
    'a',
    'c',
    null,
    null,
  ]);
});

test('new conversations go round-robin to online agents; the rotation persists across batches', async () => {
  const { workspaceId, agents, viewer, channelId } = await team();
  const [a, b, c] = agents as [string, string, string];
  await online(workspaceId, a, b, c, viewer);
  const changes: { conversationId: string; assigneeId: string | null; change: string }[] = [];
  const stop = await t.platform.events.subscribe(conversationChanged, (e) => changes.push(e));

  const first = await newConversations(workspaceId, channelId, 2);
  await autoAssign(t.platform, workspaceId, first);
  const second = await newConversations(workspaceId, channelId, 2);
  await autoAssign(t.platform, workspaceId, second);
  assert.deepEqual(await assigneesOf([...first, ...second]), [a, b, c, a], 'viewers never get conversations');

  await eventually(
    async () => changes.length,
    (n) => n >= 4,
  );
  await stop();
  assert.deepEqual(
    changes.map((e) => [e.conversationId, e.change, e.assigneeId]),
    [...first, ...second].map((id, i) => [id, 'assigned', [a, b, c, a][i]]),
  );
  const [audit] = await t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.resourceId, first[0]!), eq(auditLog.action, 'conversation.assigned')));
  assert.equal(audit?.actorType, 'system');

  // Already assigned (manually, or by an earlier run): left alone.
  await autoAssign(t.platform, workspaceId, first);
  assert.deepEqual(await assigneesOf(first), [a, b]);
});

test('offline and away agents, opted-out agents and those at their cap are skipped', async () => {
  const { workspaceId, owner, agents, channelId } = await team({ maxOpenPerAgent: 2 });
  const [a, b, c] = agents as [string, string, string];
  await online(workspaceId, a, b);
  leases.push(await markPresence(t.platform, workspaceId, c, 'away'));
  // b takes at most one open conversation.
  const res = await t.inject({
    method: 'PUT',
    url: `/api/v1/workspaces/${workspaceId}/inbox-settings/agents/${b}`,
    headers: owner.headers,
    payload: { autoAssign: true, maxOpen: 1 },
  });
  assert.equal(res.statusCode, 200, res.body);
  const saved = json<{ userId: string; role: string; autoAssign: boolean; maxOpen: number | null }>(res);
  assert.deepEqual([saved.userId, saved.role, saved.autoAssign, saved.maxOpen], [b, 'agent', true, 1]);
  // a already holds one open conversation and one resolved (which does not count).
  await seedConversation(t, workspaceId, { channelId, assigneeId: a });
  await seedConversation(t, workspaceId, { channelId, assigneeId: a, status: 'resolved' });

  const ids = await newConversations(workspaceId, channelId, 4);
  await autoAssign(t.platform, workspaceId, ids);
  assert.deepEqual(await assigneesOf(ids), [a, b, null, null], 'a reaches 2, b reaches 1, c is away');

  // Opting a out leaves only b, who is full: nothing more is assigned.
  await t.inject({
    method: 'PUT',
    url: `/api/v1/workspaces/${workspaceId}/inbox-settings/agents/${a}`,
    headers: owner.headers,
    payload: { autoAssign: false, maxOpen: null },
  });
  await t.platform.db
    .update(conversations)
    .set({ status: 'resolved' })
    .where(eq(conversations.assigneeId, a));
  await autoAssign(t.platform, workspaceId, ids.slice(2));
  assert.deepEqual(await assigneesOf(ids.slice(2)), [null, null]);

  const list = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${workspaceId}/inbox-settings/agents`,
    headers: owner.headers,
  });
  const terms = json<{ items: { userId: string; autoAssign: boolean; maxOpen: number | null }[] }>(
    list,
  ).items;
  assert.deepEqual(
    terms
      .filter((m) => agents.includes(m.userId))
      .map((m) => [m.userId, m.autoAssign, m.maxOpen])
      .sort(),
    [
      [a, false, null],
      [b, true, 1],
      [c, true, null],
    ],
  );
});

test('nothing happens when the workspace has auto-assignment off or nobody is online', async () => {
  const { workspaceId, owner, agents, channelId } = await team();
  const ids = await newConversations(workspaceId, channelId, 1);
  await autoAssign(t.platform, workspaceId, ids);
  assert.deepEqual(await assigneesOf(ids), [null], 'nobody online');
  await online(workspaceId, agents[0]!);
  await t.inject({
    method: 'PATCH',
    url: `/api/v1/workspaces/${workspaceId}/inbox-settings`,
    headers: owner.headers,
    payload: { autoAssign: false },
  });
  await autoAssign(t.platform, workspaceId, ids);
  assert.deepEqual(await assigneesOf(ids), [null], 'switched off');
});

test('concurrent batches share one rotation: every agent gets the same share', async () => {
  const { workspaceId, agents, channelId } = await team();
  await online(workspaceId, ...agents);
  const batches = await Promise.all(
    [0, 1, 2, 3, 4, 5].map(() => newConversations(workspaceId, channelId, 1)),
  );
  await Promise.all(batches.map((ids) => autoAssign(t.platform, workspaceId, ids)));
  const assigned = await assigneesOf(batches.flat());
  for (const agent of agents) {
    assert.equal(assigned.filter((id) => id === agent).length, 2, `${agent} got two of six`);
  }
});
