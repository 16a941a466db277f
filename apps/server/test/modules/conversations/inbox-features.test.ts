import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { conversationChanged, noteAdded } from '../../../src/modules/conversations/conversations.events.js';
import type {
  conversationDetail,
  conversationPage,
  labelSchema,
} from '../../../src/modules/conversations/conversations.schemas.js';
import type { noteSchema, quickReplySchema } from '../../../src/modules/conversations/inbox.schemas.js';
import { users } from '../../../src/modules/identity/identity.tables.js';
import { messages } from '../../../src/modules/messages/messages.tables.js';
import type { Topic } from '../../../src/platform/events/event-bus.js';
import { type AccessFixture, type Caller, createAccessFixture } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { eventually } from '../messages/send-world.js';
import { hoursAgo, seedChannel, seedConversation, seedMessage } from './fixtures.js';

let t: TestApp;
let fx: AccessFixture;
let channelId: string;

before(async () => {
  t = await createTestApp({ worker: false });
  fx = await createAccessFixture(t);
  channelId = await seedChannel(t, fx.workspaceId);
  // A name with a space, as people have: mentions and rendered replies use it.
  await t.platform.db.update(users).set({ name: 'Asha Rao' }).where(eq(users.id, fx.members.agent.userId));
});
after(() => t.close());

const base = () => `/api/v1/workspaces/${fx.workspaceId}`;
type Note = z.infer<typeof noteSchema>;
type Label = z.infer<typeof labelSchema>;
type Detail = z.infer<typeof conversationDetail>;
type Page = z.infer<typeof conversationPage>;
type QuickReply = z.infer<typeof quickReplySchema>;

async function call(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  payload?: object,
  caller: Caller = fx.members.owner,
) {
  return t.inject({
    method,
    url: `${base()}${path}`,
    headers: caller.headers,
    ...(payload ? { payload } : {}),
  });
}
async function ok<T = unknown>(
  method: Parameters<typeof call>[0],
  path: string,
  payload?: object,
  caller?: Caller,
): Promise<T> {
  const res = await call(method, path, payload, caller);
  assert.ok(
    res.statusCode >= 200 && res.statusCode < 300,
    `${method} ${path}: ${res.statusCode} ${res.body}`,
  );
  return (res.body ? json<T>(res) : undefined) as T;
}

async function collect<T>(topic: Topic<T>) {
  const seen: T[] = [];
  const stop = await t.platform.events.subscribe(topic, (event) => seen.push(event));
  return { seen, stop };
}

test('notes: stored apart from messages, @mentions resolved by name or email, noteAdded names them', async () => {
  const agent = fx.members.agent;
  const manager = fx.members.manager;
  const conversation = await seedConversation(t, fx.workspaceId, { channelId, lastInboundAt: hoursAgo(1) });
  const events = await collect(noteAdded);
  const managerHandle = manager.email!.split('@')[0]!;
  const note = await ok<Note>('POST', `/conversations/${conversation.id}/notes`, {
    body: `@asha rao please call back; cc @${managerHandle}. Not @nobody, not @Asha Raopur`,
  });
  assert.equal(note.author.id, fx.members.owner.userId);
  assert.deepEqual(note.mentions.map((m) => m.userId).sort(), [agent.userId, manager.userId].sort());
  assert.equal(note.mentions.find((m) => m.userId === agent.userId)?.name, 'Asha Rao');

  await eventually(
    async () => events.seen.length,
    (n) => n > 0,
  );
  await events.stop();
  assert.deepEqual(events.seen[0], {
    workspaceId: fx.workspaceId,
    conversationId: conversation.id,
    noteId: note.id,
    authorId: fx.members.owner.userId,
    mentionedUserIds: note.mentions.map((m) => m.userId),
  });

  const listed = await ok<{ items: Note[] }>('GET', `/conversations/${conversation.id}/notes`);
  assert.deepEqual(listed.items, [note]);
  // Never a message: nothing in the thread, nothing queued for WhatsApp.
  const rows = await t.platform.db
    .select()
    .from(messages)
    .where(eq(messages.conversationId, conversation.id));
  assert.equal(rows.length, 0);
  const [audit] = await t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.resourceId, conversation.id), eq(auditLog.action, 'conversation.note_added')));
  assert.ok(audit);
  assert.ok(!JSON.stringify(audit.after).includes('call back'), 'the note text stays out of the audit trail');
});

test('a note on a conversation the caller cannot see is refused', async () => {
  const conversation = await seedConversation(t, fx.workspaceId, {
    channelId,
    assigneeId: fx.members.manager.userId,
  });
  const res = await call('POST', `/conversations/${conversation.id}/notes`, { body: 'hi' }, fx.members.agent);
  assert.equal(res.statusCode, 404);
});

test('labels: CRUD with unique names, set on a conversation, shown in list and detail, filter, history', async () => {
  const vip = await ok<Label>('POST', '/labels', { name: 'VIP', color: '#CF222E' });
  assert.equal(vip.color, '#cf222e');
  const refund = await ok<Label>('POST', '/labels', { name: 'Refund', color: '#0969da' });
  assert.equal((await call('POST', '/labels', { name: 'vip', color: '#000000' })).statusCode, 409);
  assert.equal((await call('POST', '/labels', { name: 'Bad', color: 'red' })).statusCode, 400);
  assert.equal((await call('PATCH', `/labels/${refund.id}`, { name: 'VIP' })).statusCode, 409);
  const renamed = await ok<Label>('PATCH', `/labels/${refund.id}`, { name: 'Refunds' });
  assert.equal(renamed.name, 'Refunds');

  const labelled = await seedConversation(t, fx.workspaceId, { channelId, lastInboundAt: hoursAgo(2) });
  const plain = await seedConversation(t, fx.workspaceId, { channelId, lastInboundAt: hoursAgo(1) });
  const detail = await ok<Detail>('PUT', `/conversations/${labelled.id}/labels`, {
    labelIds: [refund.id, vip.id],
  });
  assert.deepEqual(
    detail.labels.map((l) => l.name),
    ['Refunds', 'VIP'],
  );
  const unknown = await call('PUT', `/conversations/${labelled.id}/labels`, { labelIds: ['lbl_nope'] });
  assert.equal(unknown.statusCode, 400);

  const filtered = await ok<Page>('GET', `/conversations?label=${vip.id}`);
  assert.deepEqual(
    filtered.items.map((c) => c.id),
    [labelled.id],
  );
  const all = await ok<Page>('GET', '/conversations?limit=100');
  assert.deepEqual(all.items.find((c) => c.id === plain.id)?.labels, []);
  assert.equal(all.items.find((c) => c.id === labelled.id)?.labels.length, 2);

  await ok('DELETE', `/labels/${vip.id}`);
  const after = await ok<Detail>('GET', `/conversations/${labelled.id}`);
  assert.deepEqual(
    after.labels.map((l) => l.id),
    [refund.id],
  );
  assert.deepEqual(
    after.history.map((h) => [h.kind, h.from, h.to, h.actor?.id]),
    [['labels', null, 'Refunds, VIP', fx.members.owner.userId]],
  );
  const actions = await t.platform.db
    .select({ action: auditLog.action })
    .from(auditLog)
    .where(eq(auditLog.workspaceId, fx.workspaceId));
  for (const action of ['label.created', 'label.updated', 'label.deleted', 'conversation.labels_changed']) {
    assert.ok(
      actions.some((a) => a.action === action),
      `${action} audited`,
    );
  }
});

test('history and response times: assign, status, snooze with actors; first response and resolution', async () => {
  const firstInbound = hoursAgo(3);
  const conversation = await seedConversation(t, fx.workspaceId, { channelId, lastInboundAt: hoursAgo(1) });
  await seedMessage(t, conversation, { direction: 'inbound', occurredAt: firstInbound });
  // Campaign and API messages are no response from a member.
  await seedMessage(t, conversation, {
    direction: 'outbound',
    occurredAt: new Date(firstInbound.getTime() + 60_000),
    senderId: 'cmp_x',
  });
  const reply = new Date(firstInbound.getTime() + 15 * 60_000);
  await seedMessage(t, conversation, {
    direction: 'outbound',
    occurredAt: reply,
    senderId: fx.members.agent.userId,
  });
  await seedMessage(t, conversation, {
    direction: 'outbound',
    occurredAt: new Date(reply.getTime() + 60_000),
    senderId: fx.members.agent.userId,
  });

  const changes = await collect(conversationChanged);
  await ok('POST', `/conversations/${conversation.id}/assign`, { assigneeId: fx.members.agent.userId });
  const until = new Date(Date.now() + 3600_000).toISOString();
  await ok('POST', `/conversations/${conversation.id}/status`, { status: 'snoozed', until });
  await ok('POST', `/conversations/${conversation.id}/status`, { status: 'resolved' }, fx.keys.manager);
  const detail = await ok<Detail>('GET', `/conversations/${conversation.id}`);

  assert.deepEqual(
    detail.history.map((h) => [h.kind, h.from, h.to, h.actor?.name]),
    [
      ['assigned', null, 'Asha Rao', fx.members.owner.email!.split('@')[0]],
      ['snoozed', 'open', until, fx.members.owner.email!.split('@')[0]],
      ['status', 'snoozed', 'resolved', 'manager key'],
    ],
  );
  assert.equal(detail.firstResponseAt, reply.toISOString());
  assert.equal(detail.firstResponseSeconds, 15 * 60);
  assert.ok(detail.resolvedAt);
  assert.equal(
    detail.resolutionSeconds,
    Math.round((Date.parse(detail.resolvedAt!) - firstInbound.getTime()) / 1000),
  );

  await eventually(
    async () => changes.seen.length,
    (n) => n >= 3,
  );
  await changes.stop();
  assert.deepEqual(
    changes.seen.map((e) => [e.conversationId, e.change, e.assigneeId, e.actorUserId]),
    [
      [conversation.id, 'assigned', fx.members.agent.userId, fx.members.owner.userId],
      [conversation.id, 'snoozed', fx.members.agent.userId, fx.members.owner.userId],
      [conversation.id, 'status', fx.members.agent.userId, null],
    ],
  );

  const reopened = await ok<Detail>('POST', `/conversations/${conversation.id}/status`, { status: 'open' });
  assert.equal(reopened.resolvedAt, null);
  assert.equal(reopened.resolutionSeconds, null);
});

test('no reply yet: no first response; mark read publishes once something was unread', async () => {
  const conversation = await seedConversation(t, fx.workspaceId, {
    channelId,
    unreadCount: 2,
    lastInboundAt: hoursAgo(1),
  });
  await seedMessage(t, conversation, { direction: 'inbound', occurredAt: hoursAgo(1) });
  const changes = await collect(conversationChanged);
  const detail = await ok<Detail>('POST', `/conversations/${conversation.id}/read`);
  assert.equal(detail.firstResponseAt, null);
  assert.equal(detail.firstResponseSeconds, null);
  await ok('POST', `/conversations/${conversation.id}/read`);
  await eventually(
    async () => changes.seen.length,
    (n) => n >= 1,
  );
  await changes.stop();
  assert.deepEqual(
    changes.seen.map((e) => e.change),
    ['read'],
  );
});

test('quick replies: /shortcut prefix lookup, unique shortcuts, variables rendered for a conversation', async () => {
  const greet = await ok<QuickReply>('POST', '/quick-replies', {
    shortcut: '/Greet',
    body: 'Namaste {{contact.first_name}} ({{ contact.phone }}), {{agent.name}} here. City: {{contact.city}}{{contact.none}}',
  });
  assert.equal(greet.shortcut, 'greet');
  await ok('POST', '/quick-replies', { shortcut: 'greet_hi', body: 'Hi!' });
  await ok('POST', '/quick-replies', { shortcut: 'refund', body: 'Refund started' });
  assert.equal((await call('POST', '/quick-replies', { shortcut: 'GREET', body: 'x' })).statusCode, 409);
  assert.equal((await call('POST', '/quick-replies', { shortcut: 'two words', body: 'x' })).statusCode, 400);

  const found = await ok<{ items: QuickReply[] }>('GET', '/quick-replies?q=/gre');
  assert.deepEqual(
    found.items.map((q) => q.shortcut),
    ['greet', 'greet_hi'],
  );
  assert.equal(
    (await ok<{ items: QuickReply[] }>('GET', '/quick-replies?q=_')).items.length,
    0,
    'LIKE wildcards are literal',
  );
  assert.equal((await ok<{ items: QuickReply[] }>('GET', '/quick-replies')).items.length, 3);

  const conversation = await seedConversation(t, fx.workspaceId, {
    channelId,
    name: 'Priya Sharma',
    assigneeId: fx.members.agent.userId,
    attributes: { city: 'Jaipur' },
  });
  const rendered = await ok<{ text: string }>(
    'POST',
    `/quick-replies/${greet.id}/render`,
    { conversationId: conversation.id },
    fx.members.agent,
  );
  const detail = await ok<Detail>('GET', `/conversations/${conversation.id}`);
  assert.equal(rendered.text, `Namaste Priya (${detail.contact.phone}), Asha Rao here. City: Jaipur`);
  const missing = await call('POST', `/quick-replies/${greet.id}/render`, { conversationId: 'conv_missing' });
  assert.equal(missing.statusCode, 404);

  const edited = await ok<QuickReply>('PATCH', `/quick-replies/${greet.id}`, { body: 'Hello' });
  assert.equal(edited.body, 'Hello');
  await ok('DELETE', `/quick-replies/${greet.id}`);
  assert.equal((await call('DELETE', `/quick-replies/${greet.id}`)).statusCode, 404);
});
