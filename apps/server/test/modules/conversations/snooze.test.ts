import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { conversationChanged } from '../../../src/modules/conversations/conversations.events.js';
import { conversations } from '../../../src/modules/conversations/conversations.tables.js';
import { wakeSnoozed } from '../../../src/modules/conversations/snooze.jobs.js';
import { type AccessFixture, createAccessFixture } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { eventually } from '../messages/send-world.js';
import { seedChannel, seedConversation } from './fixtures.js';

let t: TestApp;
let fx: AccessFixture;
let channelId: string;

before(async () => {
  t = await createTestApp({ worker: false });
  fx = await createAccessFixture(t);
  channelId = await seedChannel(t, fx.workspaceId);
});
after(() => t.close());

test('snoozes that ended reopen, with history and an event; later ones keep sleeping', async () => {
  const now = new Date();
  const due = await seedConversation(t, fx.workspaceId, {
    channelId,
    status: 'snoozed',
    snoozedUntil: new Date(now.getTime() - 1000),
    assigneeId: fx.members.agent.userId,
  });
  const later = await seedConversation(t, fx.workspaceId, {
    channelId,
    status: 'snoozed',
    snoozedUntil: new Date(now.getTime() + 3600_000),
  });
  const changes: {
    conversationId: string;
    change: string;
    assigneeId: string | null;
    actorUserId: string | null;
  }[] = [];
  const stop = await t.platform.events.subscribe(conversationChanged, (e) => changes.push(e));

  assert.ok((await wakeSnoozed(t.platform, now)) >= 1);
  const status = async (id: string) =>
    (await t.platform.db.select().from(conversations).where(eq(conversations.id, id)))[0];
  assert.deepEqual([(await status(due.id))?.status, (await status(due.id))?.snoozedUntil], ['open', null]);
  assert.equal((await status(later.id))?.status, 'snoozed');
  assert.equal(await wakeSnoozed(t.platform, now), 0, 'nothing left to wake');

  await eventually(
    async () => changes.filter((c) => c.conversationId === due.id).length,
    (n) => n > 0,
  );
  await stop();
  assert.deepEqual(
    changes.filter((c) => c.conversationId === due.id).map((c) => [c.change, c.assigneeId, c.actorUserId]),
    [['status', fx.members.agent.userId, null]],
  );
  const res = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${fx.workspaceId}/conversations/${due.id}`,
    headers: fx.members.owner.headers,
  });
  const detail = json<{ history: { kind: string; from: string; to: string; actor: unknown }[] }>(res);
  assert.deepEqual(
    detail.history.map((h) => [h.kind, h.from, h.to, h.actor]),
    [['status', 'snoozed', 'open', null]],
  );
});

test('the wake-up runs as a scheduled job of the conversations module', async () => {
  const { modules } = await import('../../../src/modules/index.js');
  const inbox = modules.find((m) => m.name === 'conversations');
  assert.deepEqual(
    inbox?.schedules?.map((s) => s.id),
    ['conversations.wake-snoozed'],
  );
});
