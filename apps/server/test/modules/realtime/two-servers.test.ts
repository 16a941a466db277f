import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { ConversationRow } from '../../../src/modules/conversations/conversations.tables.js';
import { messageReceived } from '../../../src/modules/messages/messages.events.js';
import { onlineUserIds } from '../../../src/modules/realtime/presence.js';
import { newId } from '../../../src/platform/ids.js';
import { type AccessFixture, type Caller, createAccessFixture } from '../../helpers/access.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { scaleMode } from '../../helpers/environment.js';
import { freePort, type SpawnedServer, spawnMain, waitForOk } from '../../helpers/process.js';
import { seedChannel, seedConversation } from '../conversations/fixtures.js';
import { type Frame, openStream, type SseStream } from './sse-client.js';

/**
 * Scale mode: this test process is one server (with a worker), a spawned `server` process the other,
 * on the same PostgreSQL and Redis. Events cross between them through Redis.
 */
let t: TestApp;
let other: SpawnedServer;
let otherUrl: string;
let fx: AccessFixture;
let conversation: ConversationRow;
const streams: SseStream[] = [];

before(
  async () => {
    if (!scaleMode) return;
    const masterKey = randomBytes(32).toString('base64');
    t = await createTestApp({ listen: true, env: { TOKEN_MASTER_KEY: masterKey } });
    const port = await freePort();
    other = spawnMain('server', {
      PORT: String(port),
      DATABASE_URL: t.config.database.url as string,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: t.config.redis.keyPrefix,
      TOKEN_MASTER_KEY: masterKey,
    });
    otherUrl = `http://127.0.0.1:${port}`;
    fx = await createAccessFixture(t);
    conversation = await seedConversation(t, fx.workspaceId, {
      channelId: await seedChannel(t, fx.workspaceId),
      assigneeId: fx.members.agent.userId,
    });
    await waitForOk(`${otherUrl}/ready`, 30_000, other);
  },
  { timeout: 60_000 },
);

after(async () => {
  for (const stream of streams) stream.close();
  await other?.stop();
  await t?.close();
});

async function connect(base: string, caller: Caller, lastEventId?: string) {
  const stream = await openStream(`${base}/api/v1/workspaces/${fx.workspaceId}/realtime`, {
    ...caller.headers,
    ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
  });
  streams.push(stream);
  assert.equal(stream.status, 200, stream.body);
  return stream;
}

async function inbound(): Promise<string> {
  const messageId = newId('message');
  await t.platform.events.publish(messageReceived, {
    workspaceId: fx.workspaceId,
    conversationId: conversation.id,
    messageId,
    contactId: conversation.contactId,
  });
  return messageId;
}

const created = (messageId: string) => (frame: Frame) =>
  frame.event === 'message.created' && frame.data.messageId === messageId;

test('an event raised on one server reaches clients of both, under the same id', {
  skip: !scaleMode,
}, async () => {
  const agentThere = await connect(otherUrl, fx.members.agent);
  const ownerHere = await connect(t.url, fx.members.owner);
  const messageId = await inbound();
  const there = await agentThere.next(created(messageId));
  const here = await ownerHere.next(created(messageId));
  assert.ok(there.id, 'the event has an id');
  assert.equal(there.id, here.id, 'both processes numbered it alike');

  // And the other way: typing posted to the spawned server reaches the owner connected here.
  const typing = await fetch(`${otherUrl}/api/v1/workspaces/${fx.workspaceId}/realtime/typing`, {
    method: 'POST',
    headers: { ...fx.members.agent.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ conversationId: conversation.id }),
  });
  assert.equal(typing.status, 204, await typing.text());
  const seen = await ownerHere.next((f) => f.event === 'typing');
  assert.equal(seen.data.userId, fx.members.agent.userId);

  assert.ok(
    (await onlineUserIds(t.platform, fx.workspaceId)).has(fx.members.agent.userId),
    'a connection on the other process counts as online here',
  );
  agentThere.close();
  ownerHere.close();
});

test('a client that reconnects to the other server resumes without losing events', {
  skip: !scaleMode,
}, async () => {
  const agent = await connect(otherUrl, fx.members.agent);
  await agent.next(created(await inbound()));
  const cursor = agent.lastEventId;
  assert.ok(cursor, 'the stream gave a cursor');
  agent.close();
  await agent.ended;

  const missed = [await inbound(), await inbound(), await inbound()];
  const resumed = await connect(t.url, fx.members.agent, cursor);
  const live = await inbound();
  const { skipped } = await resumed.until(created(live));
  assert.deepEqual(
    skipped.filter((f) => f.event !== 'presence').map((f) => f.data.messageId),
    missed,
    'replayed in order by this process, from the shared history',
  );
  resumed.close();
});
