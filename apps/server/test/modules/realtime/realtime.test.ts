import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { channels, wabas } from '../../../src/modules/channels/channels.tables.js';
import { contacts } from '../../../src/modules/contacts/contacts.tables.js';
import { conversationChanged } from '../../../src/modules/conversations/conversations.events.js';
import {
  type ConversationRow,
  conversations,
} from '../../../src/modules/conversations/conversations.tables.js';
import { modules as allModules } from '../../../src/modules/index.js';
import { messageReceived } from '../../../src/modules/messages/messages.events.js';
import { redisEventLog } from '../../../src/modules/realtime/event-log.js';
import { onlineUserIds } from '../../../src/modules/realtime/presence.js';
import { presenceTopic, typingTopic } from '../../../src/modules/realtime/realtime.events.js';
import { realtimeModule } from '../../../src/modules/realtime/realtime.module.js';
import { workspaceMembers } from '../../../src/modules/workspaces/workspaces.tables.js';
import { newId } from '../../../src/platform/ids.js';
import {
  type AccessFixture,
  addMember,
  assertRouteAccess,
  type Caller,
  createAccessFixture,
  createSignedInUser,
  createWorkspaceWithOwner,
} from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { scaleMode } from '../../helpers/environment.js';
import { createSimWorld, type SimWorld } from '../../helpers/sim-world.js';
import { allowAgentsUnassigned, seedChannel, seedConversation } from '../conversations/fixtures.js';
import { type Frame, openStream, type SseStream } from './sse-client.js';

const HISTORY = 50;
const CUSTOMER = '919812345678';

let world: SimWorld;
let t: TestApp;
let fx: AccessFixture;
let channelId: string;
/** A second agent, to prove one agent does not see another's conversations. */
let otherAgent: Caller & { userId: string };
const streams: SseStream[] = [];

before(async () => {
  world = await createSimWorld();
  t = await createTestApp({
    env: world.platformEnv(),
    listen: true,
    modules: allModules.map((module) =>
      module.name === 'realtime'
        ? realtimeModule({ heartbeatMs: 150, historySize: HISTORY, maxBufferedBytes: 64 * 1024 })
        : module,
    ),
  });
  await world.setCallback(`${t.url}/webhooks/whatsapp`);
  fx = await createAccessFixture(t);
  otherAgent = await createSignedInUser(t);
  await addMember(t, fx.workspaceId, otherAgent.userId, 'agent');

  const tokenSecretId = await t.platform.vault.put(
    t.platform.db,
    fx.workspaceId,
    'waba_token',
    await world.issueToken(),
  );
  const wabaId = newId('waba');
  await t.platform.db
    .insert(wabas)
    .values({ id: wabaId, workspaceId: fx.workspaceId, externalId: world.wabaId, tokenSecretId });
  channelId = newId('channel');
  await t.platform.db.insert(channels).values({
    id: channelId,
    workspaceId: fx.workspaceId,
    wabaId,
    phoneNumberId: world.phoneNumberId,
    status: 'connected',
  });
  await world.addCustomer(CUSTOMER, 'Priya Sharma');
});

after(async () => {
  for (const stream of streams) stream.close();
  await t.close();
  await world.close();
});

const streamUrl = (workspaceId: string, query = '') =>
  `${t.url}/api/v1/workspaces/${workspaceId}/realtime${query}`;

async function connect(caller: Caller, options: { lastEventId?: string; query?: string } = {}) {
  const stream = await openStream(streamUrl(fx.workspaceId, options.query), {
    ...caller.headers,
    ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
  });
  streams.push(stream);
  assert.equal(stream.status, 200, stream.body);
  return stream;
}

const conversationFor = (assigneeId: string | null) =>
  seedConversation(t, fx.workspaceId, { channelId, assigneeId });

/** A new inbound message on the bus, as the webhook worker raises it. */
async function inbound(conversation: ConversationRow): Promise<string> {
  const messageId = newId('message');
  await t.platform.events.publish(messageReceived, {
    workspaceId: fx.workspaceId,
    conversationId: conversation.id,
    messageId,
    contactId: conversation.contactId,
  });
  return messageId;
}

/** Presence changes (of the test's own members coming and going) interleave with anything. */
const notPresence = (frame: Frame) => frame.event !== 'presence';

const created = (messageId: string) => (frame: Frame) =>
  frame.event === 'message.created' && frame.data.messageId === messageId;

describe('who may connect', () => {
  test('no session 401, another workspace 404, an API key 403', async () => {
    const anonymous = await openStream(streamUrl(fx.workspaceId));
    assert.equal(anonymous.status, 401);
    const outsider = await openStream(streamUrl(fx.workspaceId), fx.other.owner.headers);
    assert.equal(outsider.status, 404, outsider.body);
    assert.equal(JSON.parse(outsider.body).error.code, 'not_found');
    const key = await openStream(streamUrl(fx.workspaceId), fx.keys.owner.headers);
    assert.equal(key.status, 403, key.body);
  });

  test('the typing and presence routes check roles and workspaces', async () => {
    const mine = await conversationFor(fx.members.agent.userId);
    await assertRouteAccess(t, fx, {
      method: 'POST',
      path: '/api/v1/workspaces/:workspaceId/realtime/typing',
      body: () => ({ conversationId: mine.id }),
      apiKeys: false,
    });
    await assertRouteAccess(t, fx, {
      method: 'PUT',
      path: '/api/v1/workspaces/:workspaceId/realtime/presence',
      body: () => ({ status: 'online' }),
      apiKeys: false,
    });
    await assertRouteAccess(t, fx, {
      method: 'GET',
      path: '/api/v1/workspaces/:workspaceId/realtime/presence',
    });
    const byKey = await t.inject({
      method: 'PUT',
      url: `/api/v1/workspaces/${fx.workspaceId}/realtime/presence`,
      headers: fx.keys.owner.headers,
      payload: { status: 'away' },
    });
    assert.equal(byKey.statusCode, 403, 'an API key has no presence');
  });
});

describe('delivery', () => {
  test('an inbound message from Meta reaches the connected agent it is assigned to, then the reply too', async () => {
    const [contact] = await t.platform.db
      .insert(contacts)
      .values({
        id: newId('contact'),
        workspaceId: fx.workspaceId,
        waId: CUSTOMER,
        phoneE164: `+${CUSTOMER}`,
      })
      .returning();
    const [conversation] = await t.platform.db
      .insert(conversations)
      .values({
        id: newId('conversation'),
        workspaceId: fx.workspaceId,
        channelId,
        contactId: contact!.id,
        assigneeId: fx.members.agent.userId,
      })
      .returning();
    const agent = await connect(fx.members.agent);

    await world.customerSends(CUSTOMER, 'text', { body: 'Is my order on the way?' });
    const frame = await agent.next((f) => f.event === 'message.created' && f.data.direction === 'inbound');
    assert.equal(frame.data.conversationId, conversation!.id);
    assert.ok(frame.id, 'kept events carry an id');

    const reply = await t.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${fx.workspaceId}/messages`,
      headers: fx.members.agent.headers,
      payload: { channelId, contactId: contact!.id, type: 'text', text: { body: 'Yes, today.' } },
    });
    assert.equal(reply.statusCode, 202, reply.body);
    const sent = json<{ message: { id: string } }>(reply).message;
    const queued = await agent.next(created(sent.id));
    assert.deepEqual(queued.data, {
      conversationId: conversation!.id,
      messageId: sent.id,
      direction: 'outbound',
    });
    agent.close();
  });

  test("an agent gets events of their own conversations only; the owner and a viewer get everyone's", async () => {
    const theirs = await conversationFor(otherAgent.userId);
    const unassigned = await conversationFor(null);
    const mine = await conversationFor(fx.members.agent.userId);
    const agent = await connect(fx.members.agent);
    const owner = await connect(fx.members.owner);
    const viewer = await connect(fx.members.viewer);

    const hidden = [await inbound(theirs), await inbound(unassigned)];
    const visible = await inbound(mine);
    const { skipped } = await agent.until(created(visible));
    assert.deepEqual(
      skipped.filter((f) => hidden.includes(f.data.messageId as string)),
      [],
      'nothing of conversations the agent may not read',
    );
    for (const supervisor of [owner, viewer]) {
      for (const messageId of [...hidden, visible]) await supervisor.next(created(messageId));
    }

    // Reassigned away: the agent hears of it (to drop it from the list), then no more of it.
    await t.platform.events.publish(conversationChanged, {
      workspaceId: fx.workspaceId,
      conversationId: mine.id,
      change: 'assigned',
      assigneeId: otherAgent.userId,
      actorUserId: fx.members.owner.userId,
    });
    const moved = await agent.next((f) => f.event === 'conversation.updated');
    assert.deepEqual(moved.data, {
      conversationId: mine.id,
      change: 'assigned',
      assigneeId: otherAgent.userId,
    });
    const afterMove = await inbound(mine);
    const sentinel = await inbound(await conversationFor(fx.members.agent.userId));
    const rest = await agent.until(created(sentinel));
    assert.ok(!rest.skipped.some(created(afterMove)), 'no events of a conversation no longer assigned');
    for (const stream of [agent, owner, viewer]) stream.close();
  });

  test('agents see unassigned conversations where the workspace allows it', async () => {
    const { workspaceId } = await createWorkspaceWithOwner(t, 'Open inbox');
    const agentUser = await createSignedInUser(t);
    await addMember(t, workspaceId, agentUser.userId, 'agent');
    await allowAgentsUnassigned(t, workspaceId, true);
    const channel = await seedChannel(t, workspaceId);
    const unassigned = await seedConversation(t, workspaceId, { channelId: channel });
    const stream = await openStream(streamUrl(workspaceId), agentUser.headers);
    streams.push(stream);
    assert.equal(stream.status, 200, stream.body);
    const messageId = newId('message');
    await t.platform.events.publish(messageReceived, {
      workspaceId,
      conversationId: unassigned.id,
      messageId,
      contactId: unassigned.contactId,
    });
    await stream.next(created(messageId));
    stream.close();
  });

  test('events of another workspace never arrive', async () => {
    const owner = await connect(fx.members.owner);
    const foreign = await openStream(streamUrl(fx.other.workspaceId), fx.other.owner.headers);
    streams.push(foreign);
    const mine = await inbound(await conversationFor(null));
    await owner.next(created(mine));

    const theirs = await seedConversation(t, fx.other.workspaceId, {
      channelId: await seedChannel(t, fx.other.workspaceId),
    });
    const sentinel = newId('message');
    await t.platform.events.publish(messageReceived, {
      workspaceId: fx.other.workspaceId,
      conversationId: theirs.id,
      messageId: sentinel,
      contactId: theirs.contactId,
    });
    const { skipped } = await foreign.until(created(sentinel));
    assert.ok(!skipped.some(created(mine)), 'the other workspace got none of ours');
    owner.close();
    foreign.close();
  });
});

describe('typing and presence', () => {
  test('typing reaches the others who can read the conversation, not the typist', async () => {
    const mine = await conversationFor(fx.members.agent.userId);
    const agent = await connect(fx.members.agent);
    const owner = await connect(fx.members.owner);
    const other = await connect(otherAgent);

    const typing = await t.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${fx.workspaceId}/realtime/typing`,
      headers: fx.members.agent.headers,
      payload: { conversationId: mine.id },
    });
    assert.equal(typing.statusCode, 204, typing.body);
    const seen = await owner.next((f) => f.event === 'typing');
    assert.deepEqual(seen.data, {
      conversationId: mine.id,
      userId: fx.members.agent.userId,
      userName: fx.members.agent.email?.split('@')[0],
    });
    assert.equal(seen.id, undefined, 'typing is not kept for replay');

    // A presence change reaches everyone: what came before it on a stream was delivered before it.
    const marker = newId('user');
    await t.platform.events.publish(presenceTopic, {
      workspaceId: fx.workspaceId,
      userId: marker,
      status: 'online',
    });
    const isMarker = (f: Frame) => f.event === 'presence' && f.data.userId === marker;
    assert.ok(
      !(await other.until(isMarker)).skipped.some((f) => f.event === 'typing'),
      'not for other agents',
    );
    assert.ok(!(await agent.until(isMarker)).skipped.some((f) => f.event === 'typing'), 'not for the typist');

    const hidden = await t.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${fx.workspaceId}/realtime/typing`,
      headers: otherAgent.headers,
      payload: { conversationId: mine.id },
    });
    assert.equal(hidden.statusCode, 404, 'typing in a conversation one cannot read');
    for (const stream of [agent, owner, other]) stream.close();
  });

  test('online while connected, away by choice, offline when the last connection closes', async () => {
    const owner = await connect(fx.members.owner);
    const manager = fx.members.manager;
    const first = await connect(manager);
    const second = await connect(manager);
    const presence = (status: string) => (f: Frame) =>
      f.event === 'presence' && f.data.userId === manager.userId && f.data.status === status;
    await owner.next(presence('online'));
    assert.ok((await onlineUserIds(t.platform, fx.workspaceId)).has(manager.userId), 'online');

    const listed = await t.inject({
      method: 'GET',
      url: `/api/v1/workspaces/${fx.workspaceId}/realtime/presence`,
      headers: fx.members.owner.headers,
    });
    assert.ok(
      json<{ users: { userId: string; status: string }[] }>(listed).users.some(
        (u) => u.userId === manager.userId && u.status === 'online',
      ),
      listed.body,
    );

    const away = await t.inject({
      method: 'PUT',
      url: `/api/v1/workspaces/${fx.workspaceId}/realtime/presence`,
      headers: manager.headers,
      payload: { status: 'away' },
    });
    assert.equal(away.statusCode, 204, away.body);
    await owner.next(presence('away'));
    assert.ok(!(await onlineUserIds(t.platform, fx.workspaceId)).has(manager.userId), 'away is not online');

    first.close();
    second.close();
    await owner.next(presence('offline'));
    assert.ok(!(await onlineUserIds(t.platform, fx.workspaceId)).has(manager.userId), 'offline');
    await t.inject({
      method: 'PUT',
      url: `/api/v1/workspaces/${fx.workspaceId}/realtime/presence`,
      headers: manager.headers,
      payload: { status: 'online' },
    });
    owner.close();
  });
});

describe('resuming', () => {
  test('a client that reconnects with Last-Event-ID gets what it missed, in order, and nothing it may not see', async () => {
    const mine = await conversationFor(fx.members.agent.userId);
    const theirs = await conversationFor(otherAgent.userId);
    const agent = await connect(fx.members.agent);
    const before = await inbound(mine);
    await agent.next(created(before));
    const cursor = agent.lastEventId;
    assert.ok(cursor, 'the stream gave a cursor');
    agent.close();
    await agent.ended;

    const missed = [await inbound(mine), await inbound(theirs), await inbound(mine)];
    const resumed = await connect(fx.members.agent, { lastEventId: cursor });
    const live = await inbound(mine);
    const replayed = await resumed.until(created(live));
    assert.deepEqual(
      replayed.skipped.filter(notPresence).map((f) => f.data.messageId),
      [missed[0], missed[2]],
      "the agent's missed events, in order, without resync",
    );
    assert.ok(
      replayed.skipped.filter(notPresence).every((f) => f.id),
      'replayed events carry ids',
    );
    resumed.close();

    // ?lastEventId= does the same for clients that cannot set the header.
    const again = await connect(fx.members.agent, { query: `?lastEventId=${encodeURIComponent(cursor)}` });
    const later = await inbound(mine);
    const { skipped } = await again.until(created(later));
    assert.deepEqual(
      skipped.filter(notPresence).map((f) => f.data.messageId),
      [missed[0], missed[2], live],
    );
    again.close();
  });

  test('a cursor older than the history, or not issued by the server, gets resync first', async () => {
    const owner = await connect(fx.members.owner);
    const first = await inbound(await conversationFor(null));
    await owner.next(created(first));
    const cursor = owner.lastEventId as string;
    owner.close();

    const conversation = await conversationFor(null);
    for (let i = 0; i < HISTORY * 3; i++) await inbound(conversation);
    for (const lastEventId of [cursor, 'not-a-cursor']) {
      const resumed = await connect(fx.members.owner, { lastEventId });
      const live = await inbound(conversation);
      const { skipped } = await resumed.until(created(live));
      assert.deepEqual(
        skipped.filter(notPresence).map((f) => f.event),
        ['resync'],
        'resync, then live events',
      );
      assert.ok(skipped[0]?.id, 'resync carries a fresh cursor');
      resumed.close();
    }
  });

  test('a process whose subscription lost events tells its clients to resync', {
    skip: !scaleMode,
  }, async () => {
    const owner = await connect(fx.members.owner);
    const conversation = await conversationFor(null);
    await owner.next(created(await inbound(conversation)));
    // Another process numbered an event that this one never received from the bus.
    const redis = new Redis(process.env.REDIS_URL as string);
    try {
      await redisEventLog(redis, t.config.redis.keyPrefix).append(
        {
          workspaceId: fx.workspaceId,
          type: 'message.created',
          conversationId: conversation.id,
          data: { conversationId: conversation.id, messageId: newId('message'), direction: 'inbound' },
        },
        'an event lost on the way here',
      );
    } finally {
      redis.disconnect();
    }
    const next = await inbound(conversation);
    const { skipped } = await owner.until(created(next));
    assert.deepEqual(
      skipped.filter(notPresence).map((f) => f.event),
      ['resync'],
    );
    owner.close();
  });

  test('a new client gets a cursor before any event, so a reconnect loses nothing', async () => {
    const owner = await connect(fx.members.owner);
    await owner.until(() => false, 300).catch(() => undefined);
    const cursor = owner.lastEventId;
    assert.ok(cursor, 'an id-only frame set the cursor');
    owner.close();
    const missed = await inbound(await conversationFor(null));
    const resumed = await connect(fx.members.owner, { lastEventId: cursor });
    const frame = await resumed.next(() => true);
    assert.ok(created(missed)(frame), `got ${JSON.stringify(frame)}`);
    resumed.close();
  });
});

describe('stream health', () => {
  test('idle streams get pings; a slow reader is cut off with a resync, not buffered without bound', async () => {
    const owner = await connect(fx.members.owner);
    const deadline = Date.now() + 10_000;
    while (owner.comments.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(owner.comments[0], 'ping', 'an idle stream gets a ping comment');
    const metrics = await t.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /^realtime_connections [1-9]/m, 'open streams are counted');

    owner.pause();
    const conversation = await conversationFor(null);
    const bulky = 'x'.repeat(10_000);
    const published = 1_000; // ~10 MB: more than every socket buffer on the way
    for (let i = 0; i < published; i++) {
      await t.platform.events.publish(typingTopic, {
        workspaceId: fx.workspaceId,
        conversationId: conversation.id,
        userId: otherAgent.userId,
        userName: bulky,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    owner.resume();
    const { skipped } = await owner.until((f) => f.event === 'resync', 20_000);
    assert.ok(skipped.length < published, `dropped some (${skipped.length} of ${published} delivered)`);
    const after = await inbound(conversation);
    await owner.next(created(after));
    owner.close();
  });

  test('a stream ends when the member loses their role', async () => {
    const user = await createSignedInUser(t);
    await addMember(t, fx.workspaceId, user.userId, 'agent');
    const stream = await connect(user);
    await t.platform.db
      .update(workspaceMembers)
      .set({ role: 'viewer' })
      .where(and(eq(workspaceMembers.workspaceId, fx.workspaceId), eq(workspaceMembers.userId, user.userId)));
    await stream.ended;
    const again = await connect(user);
    again.close();
  });
});
