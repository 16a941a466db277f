import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { conversations } from '../../../src/modules/conversations/conversations.tables.js';
import { type AccessFixture, createAccessFixture } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { hoursAgo, seedChannel, seedConversation, seedMessage } from './fixtures.js';

let t: TestApp;
let fx: AccessFixture;
let channelId: string;

before(async () => {
  t = await createTestApp({ worker: false });
  fx = await createAccessFixture(t);
  channelId = await seedChannel(t, fx.workspaceId);
});
after(() => t.close());

const url = (id: string, path = '') => `/api/v1/workspaces/${fx.workspaceId}/conversations/${id}${path}`;

async function get<T = Record<string, unknown>>(path: string, caller = fx.members.owner): Promise<T> {
  const res = await t.inject({ method: 'GET', url: path, headers: caller.headers });
  assert.equal(res.statusCode, 200, res.body);
  return json<T>(res);
}

async function post(path: string, payload?: Record<string, unknown>, caller = fx.members.owner) {
  return t.inject({ method: 'POST', url: path, headers: caller.headers, ...(payload ? { payload } : {}) });
}

const trail = (conversationId: string) =>
  t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.resourceType, 'conversation'), eq(auditLog.resourceId, conversationId)))
    .orderBy(auditLog.id);

test('window open: free-form messages allowed until 24 hours after the last inbound', async () => {
  const lastInboundAt = hoursAgo(23);
  const row = await seedConversation(t, fx.workspaceId, {
    channelId,
    name: 'Asha',
    lastInboundAt,
    attributes: { city: 'Pune' },
    tags: ['vip'],
  });
  const detail = await get<Record<string, unknown>>(url(row.id));
  assert.equal(detail.composer, 'free_form');
  assert.deepEqual(detail.window, {
    open: true,
    closesAt: new Date(lastInboundAt.getTime() + 24 * 3600_000).toISOString(),
  });
  assert.deepEqual(
    { ...(detail.contact as Record<string, unknown>), id: undefined, phone: undefined, waId: undefined },
    {
      id: undefined,
      phone: undefined,
      waId: undefined,
      name: 'Asha',
      profileName: 'Asha',
      attributes: { city: 'Pune' },
      tags: ['vip'],
      optedOutAt: null,
      marketingOptedOutAt: null,
    },
  );
});

test('window closed (or never opened): templates only; opted out: nothing', async () => {
  const lastInboundAt = hoursAgo(24.01);
  const closed = await seedConversation(t, fx.workspaceId, { channelId, lastInboundAt });
  const closedDetail = await get(url(closed.id));
  assert.equal(closedDetail.composer, 'templates_only');
  assert.deepEqual(closedDetail.window, {
    open: false,
    closedAt: new Date(lastInboundAt.getTime() + 24 * 3600_000).toISOString(),
  });
  const never = await seedConversation(t, fx.workspaceId, { channelId });
  const neverDetail = await get(url(never.id));
  assert.equal(neverDetail.composer, 'templates_only');
  assert.deepEqual(neverDetail.window, { open: false, closedAt: null });
  const optedOut = await seedConversation(t, fx.workspaceId, {
    channelId,
    lastInboundAt: hoursAgo(1),
    optedOut: true,
  });
  assert.equal((await get(url(optedOut.id))).composer, 'blocked');
});

test('messages: newest first with statuses, errors and media; paging backwards without gaps', async () => {
  const row = await seedConversation(t, fx.workspaceId, { channelId, lastInboundAt: hoursAgo(1) });
  const base = hoursAgo(10);
  const made: string[] = [];
  for (let i = 0; i < 11; i++) {
    // Pairs share a timestamp: the id breaks the tie.
    const at = new Date(base.getTime() + Math.floor(i / 2) * 60_000);
    const m = await seedMessage(t, row, { direction: i % 2 ? 'outbound' : 'inbound', occurredAt: at });
    made.push(m.id);
  }
  await seedMessage(t, row, {
    direction: 'outbound',
    occurredAt: hoursAgo(0.5),
    status: 'failed',
    error: { code: 131047, title: 'Re-engagement message', reason: 'outside the window' },
  });
  await seedMessage(t, row, {
    direction: 'inbound',
    type: 'image',
    occurredAt: hoursAgo(0.4),
    media: { state: 'stored', mimeType: 'image/jpeg', storageKey: 'secret/path' },
  });
  type Page = { items: Record<string, unknown>[]; nextCursor: string | null };
  const first = await get<Page>(url(row.id, '/messages?limit=2'));
  const [image, failed] = first.items;
  assert.equal(image?.type, 'image');
  assert.deepEqual(image?.media, { state: 'stored', mimeType: 'image/jpeg' });
  assert.equal(failed?.status, 'failed');
  assert.equal((failed?.error as { code: number } | undefined)?.code, 131047);
  const older: string[] = [];
  let cursor = first.nextCursor;
  while (cursor) {
    const page: Page = await get<Page>(url(row.id, `/messages?limit=3&cursor=${cursor}`));
    older.push(...page.items.map((m) => String(m.id)));
    cursor = page.nextCursor;
  }
  const expected = made
    .map((id, i) => ({ id, at: Math.floor(i / 2) }))
    .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
    .map((m) => m.id);
  assert.deepEqual(older, expected);
});

test('assign, reassign and unassign are audited; non-members are refused', async () => {
  const row = await seedConversation(t, fx.workspaceId, { channelId });
  const agent = fx.members.agent;
  const assigned = await post(url(row.id, '/assign'), { assigneeId: agent.memberId });
  assert.equal(assigned.statusCode, 200, assigned.body);
  assert.equal(json<{ assignee: { userId: string } }>(assigned).assignee.userId, agent.userId);
  assert.equal((await get(url(row.id), agent)).id, row.id, 'the assignee now sees it');
  await post(url(row.id, '/assign'), { assigneeId: fx.members.manager.userId });
  const res = await t.inject({ method: 'GET', url: url(row.id), headers: agent.headers });
  assert.equal(res.statusCode, 404, 'reassigned away from the agent');
  await post(url(row.id, '/assign'), { assigneeId: null });
  const stranger = await post(url(row.id, '/assign'), { assigneeId: fx.other.owner.userId });
  assert.equal(stranger.statusCode, 422, stranger.body);
  const rows = await trail(row.id);
  assert.deepEqual(
    rows.map((r) => [r.action, r.before, r.after]),
    [
      ['conversation.assigned', { assigneeId: null }, { assigneeId: agent.userId }],
      ['conversation.assigned', { assigneeId: agent.userId }, { assigneeId: fx.members.manager.userId }],
      ['conversation.unassigned', { assigneeId: fx.members.manager.userId }, { assigneeId: null }],
    ],
  );
  assert.equal(rows[0]?.actorId, fx.members.owner.userId);
});

test('status and snooze changes are audited; the history reads from the trail', async () => {
  const row = await seedConversation(t, fx.workspaceId, { channelId, assigneeId: fx.members.agent.userId });
  const agent = fx.members.agent;
  assert.equal((await post(url(row.id, '/status'), { status: 'pending' }, agent)).statusCode, 200);
  const past = await post(
    url(row.id, '/status'),
    { status: 'snoozed', until: hoursAgo(1).toISOString() },
    agent,
  );
  assert.equal(past.statusCode, 400, past.body);
  const until = hoursAgo(-3);
  const snoozed = await post(
    url(row.id, '/status'),
    { status: 'snoozed', until: until.toISOString() },
    agent,
  );
  assert.equal(snoozed.statusCode, 200, snoozed.body);
  assert.deepEqual([json(snoozed).status, json(snoozed).snoozedUntil], ['snoozed', until.toISOString()]);
  const missing = await post(url(row.id, '/status'), { status: 'snoozed' }, agent);
  assert.equal(missing.statusCode, 400, 'snoozing needs until');
  assert.equal((await post(url(row.id, '/status'), { status: 'resolved' }, agent)).statusCode, 200);
  assert.equal((await post(url(row.id, '/status'), { status: 'resolved' }, agent)).statusCode, 200);
  const history = (await trail(row.id)).map((r) => [r.action, r.before?.status, r.after?.status]);
  assert.deepEqual(history, [
    ['conversation.status_changed', 'open', 'pending'],
    ['conversation.status_changed', 'pending', 'snoozed'],
    ['conversation.status_changed', 'snoozed', 'resolved'],
  ]);
  const [stored] = await t.platform.db.select().from(conversations).where(eq(conversations.id, row.id));
  assert.equal(stored?.snoozedUntil, null, 'resolving clears the snooze');
});

test('mark read: unread count to zero, audited once', async () => {
  const row = await seedConversation(t, fx.workspaceId, {
    channelId,
    unreadCount: 4,
    lastInboundAt: hoursAgo(1),
  });
  const first = await post(url(row.id, '/read'), undefined, fx.members.agent);
  assert.equal(first.statusCode, 404, 'not visible to an agent it is not assigned to');
  const read = await post(url(row.id, '/read'));
  assert.equal(read.statusCode, 200, read.body);
  assert.equal(json(read).unreadCount, 0);
  assert.equal((await post(url(row.id, '/read'))).statusCode, 200);
  assert.deepEqual(
    (await trail(row.id)).map((r) => [r.action, r.before, r.after]),
    [['conversation.read', { unreadCount: 4 }, { unreadCount: 0 }]],
  );
});
