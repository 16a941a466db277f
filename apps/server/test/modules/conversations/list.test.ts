import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { conversations } from '../../../src/modules/conversations/conversations.tables.js';
import { type AccessFixture, createAccessFixture } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { hoursAgo, seedChannel, seedConversation, seedMessage } from './fixtures.js';

let t: TestApp;
let fx: AccessFixture;
let channelA: string;
let channelB: string;
const now = Date.now();
const ids: Record<string, string> = {};

interface Row {
  id: string;
  status: string;
  unreadCount: number;
  channelId: string;
  contact: { name: string; phone: string; optedOut: boolean };
  assignee: { userId: string } | null;
  lastMessage: { preview: string; direction: string } | null;
  window: { open: boolean; closesAt?: string; closedAt?: string | null };
}

before(async () => {
  t = await createTestApp({ worker: false });
  fx = await createAccessFixture(t);
  channelA = await seedChannel(t, fx.workspaceId);
  channelB = await seedChannel(t, fx.workspaceId);
  const agent = fx.members.agent.userId;
  const seed = async (name: string, values: Omit<Parameters<typeof seedConversation>[2], 'channelId'>) => {
    const row = await seedConversation(t, fx.workspaceId, { channelId: channelA, name, ...values });
    ids[name] = row.id;
    return row;
  };
  // Activity order, newest first: fresh, replied, pending, snoozed, old, silent (no messages at all).
  const fresh = await seed('fresh', { unreadCount: 2, lastInboundAt: hoursAgo(1, now), assigneeId: agent });
  await seedMessage(t, fresh, {
    direction: 'inbound',
    occurredAt: hoursAgo(1, now),
    preview: 'where is it?',
  });
  const replied = await seed('replied', { lastInboundAt: hoursAgo(3, now), lastMessageAt: hoursAgo(2, now) });
  await seedMessage(t, replied, { direction: 'inbound', occurredAt: hoursAgo(3, now) });
  await seedMessage(t, replied, {
    direction: 'outbound',
    occurredAt: hoursAgo(2, now),
    preview: 'on its way',
  });
  await seed('pending', {
    status: 'pending',
    unreadCount: 1,
    lastInboundAt: hoursAgo(5, now),
    optedOut: true,
  });
  await seed('snoozed', {
    status: 'snoozed',
    snoozedUntil: hoursAgo(-5, now),
    lastInboundAt: hoursAgo(20, now),
  });
  await seed('old', { status: 'resolved', lastInboundAt: hoursAgo(30, now), assigneeId: agent });
  const other = await seedConversation(t, fx.workspaceId, { channelId: channelB, name: 'other channel' });
  ids.otherChannel = other.id;
  // Created before the others, no activity: its creation time is its activity, so it sorts by that.
  await t.platform.db
    .update(conversations)
    .set({ createdAt: hoursAgo(40, now) })
    .where(eq(conversations.id, other.id));
});
after(() => t.close());

async function list(
  query: string,
  caller = fx.members.owner,
): Promise<{ items: Row[]; nextCursor: string | null }> {
  const res = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${fx.workspaceId}/conversations?${query}`,
    headers: caller.headers,
  });
  assert.equal(res.statusCode, 200, res.body);
  return json(res);
}
const names = (rows: Row[]) => {
  const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
  return rows.map((r) => byId.get(r.id));
};

test('rows carry contact, last message, unread count, assignee and the window', async () => {
  const { items } = await list('');
  assert.deepEqual(names(items), ['fresh', 'replied', 'pending', 'snoozed', 'old', 'otherChannel']);
  const [fresh, replied, pending] = items;
  assert.equal(fresh?.contact.name, 'fresh');
  assert.match(fresh?.contact.phone ?? '', /^\+91/);
  assert.equal(fresh?.unreadCount, 2);
  assert.equal(fresh?.assignee?.userId, fx.members.agent.userId);
  assert.equal(fresh?.lastMessage?.direction, 'inbound');
  assert.equal(fresh?.lastMessage?.preview, 'where is it?');
  assert.equal(fresh?.window.closesAt, new Date(hoursAgo(1, now).getTime() + 24 * 3600_000).toISOString());
  assert.equal(replied?.lastMessage?.direction, 'outbound');
  assert.equal(pending?.contact.optedOut, true);
  const old = items.find((r) => r.id === ids.old);
  assert.deepEqual(old?.window, { open: false, closedAt: hoursAgo(6, now).toISOString() });
  assert.equal(items.at(-1)?.lastMessage, null);
});

test('filters: status, assignee, channel, unread, window', async () => {
  const agentId = fx.members.agent.userId;
  const cases: [string, string[]][] = [
    ['status=pending', ['pending']],
    ['status=snoozed', ['snoozed']],
    ['status=resolved', ['old']],
    ['assignee=unassigned', ['replied', 'pending', 'snoozed', 'otherChannel']],
    [`assignee=${agentId}`, ['fresh', 'old']],
    [`assignee=${fx.members.agent.memberId}`, ['fresh', 'old']],
    ['assignee=anyone', ['fresh', 'replied', 'pending', 'snoozed', 'old', 'otherChannel']],
    [`channelId=${channelB}`, ['otherChannel']],
    ['unread=true', ['fresh', 'pending']],
    ['unread=false', ['replied', 'snoozed', 'old', 'otherChannel']],
    ['window=open', ['fresh', 'replied', 'pending', 'snoozed']],
    ['window=closed', ['old', 'otherChannel']],
    [`window=open&unread=true&assignee=${agentId}`, ['fresh']],
  ];
  for (const [query, expected] of cases) assert.deepEqual(names((await list(query)).items), expected, query);
  assert.deepEqual(names((await list('assignee=me', fx.members.agent)).items), ['fresh', 'old']);
});

test('waiting longest: customers who wrote last, the longest waiting first', async () => {
  const { items } = await list('sort=waiting_longest');
  // `replied` got an answer after its customer's message; `otherChannel` never heard from its customer.
  assert.deepEqual(names(items), ['old', 'snoozed', 'pending', 'fresh']);
  assert.deepEqual(names((await list('sort=waiting_longest&status=open')).items), ['fresh']);
});

test('an invalid or foreign cursor is refused', async () => {
  const first = await list('limit=2');
  assert.ok(first.nextCursor);
  for (const cursor of ['garbage', first.nextCursor.slice(0, -3)]) {
    const res = await t.inject({
      method: 'GET',
      url: `/api/v1/workspaces/${fx.workspaceId}/conversations?cursor=${encodeURIComponent(cursor)}`,
      headers: fx.members.owner.headers,
    });
    assert.equal(res.statusCode, 400, res.body);
  }
  const crossSort = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${fx.workspaceId}/conversations?sort=waiting_longest&cursor=${first.nextCursor}`,
    headers: fx.members.owner.headers,
  });
  assert.equal(crossSort.statusCode, 400, 'a cursor belongs to its sort');
});

test('cursor paging: no duplicates or gaps, also across equal times and while new conversations arrive', async () => {
  const channelId = await seedChannel(t, fx.workspaceId);
  const tied = hoursAgo(50, now);
  const seeded: string[] = [];
  for (let i = 0; i < 23; i++) {
    // Groups of equal times, some differing only in microseconds (below what a JS Date holds).
    const row = await seedConversation(t, fx.workspaceId, {
      channelId,
      lastInboundAt: hoursAgo(50 + Math.floor(i / 4), now),
    });
    seeded.push(row.id);
    if (i % 5 === 0) {
      await t.platform.db
        .update(conversations)
        .set({
          lastMessageAt: sql`${tied.toISOString()}::timestamptz + interval '${sql.raw(String(i))} microseconds'`,
        })
        .where(eq(conversations.id, row.id));
    }
  }
  const expected = (await list(`channelId=${channelId}&limit=100`)).items.map((r) => r.id);
  assert.equal(expected.length, 23);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: { items: Row[]; nextCursor: string | null } = await list(
      `channelId=${channelId}&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
    );
    seen.push(...page.items.map((r) => r.id));
    cursor = page.nextCursor;
    pages += 1;
    // A newer conversation arriving mid-way sorts before the cursor: it must not shift later pages.
    if (pages === 2) await seedConversation(t, fx.workspaceId, { channelId, lastInboundAt: new Date() });
  } while (cursor);
  assert.equal(pages, 6);
  assert.deepEqual(seen, expected, 'every row once, in order');
  assert.equal(new Set(seen).size, seen.length);
});
