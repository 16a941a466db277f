import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { defineTopic, redisEventBus } from '../../src/platform/events/event-bus.js';
import { connectRedis } from '../../src/platform/redis.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { scaleMode } from '../helpers/environment.js';

const greeted = defineTopic('test.greeted', z.object({ workspaceId: z.string(), name: z.string() }));

let t: TestApp;
before(async () => {
  t = await createTestApp({ modules: [] });
});
after(async () => {
  await t.close();
});

test('subscribers receive published events, and stop after unsubscribing', async () => {
  const received: string[] = [];
  const unsubscribe = await t.platform.events.subscribe(greeted, (event) => received.push(event.name));
  await t.platform.events.publish(greeted, { workspaceId: 'ws_1', name: 'Asha' });
  await t.platform.events.publish(greeted, { workspaceId: 'ws_1', name: 'Ravi' });
  const deadline = Date.now() + 5_000;
  while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(received, ['Asha', 'Ravi']);
  await unsubscribe();
  await t.platform.events.publish(greeted, { workspaceId: 'ws_1', name: 'Late' });
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(received, ['Asha', 'Ravi']);
});

test('an event that breaks its topic schema is refused at publish', async () => {
  await assert.rejects(() =>
    t.platform.events.publish(greeted, { workspaceId: 'ws_1' } as unknown as {
      workspaceId: string;
      name: string;
    }),
  );
});

test('a throwing subscriber does not stop the others', async () => {
  const received: string[] = [];
  const off1 = await t.platform.events.subscribe(greeted, () => {
    throw new Error('boom');
  });
  const off2 = await t.platform.events.subscribe(greeted, (event) => received.push(event.name));
  await t.platform.events.publish(greeted, { workspaceId: 'ws_2', name: 'Meera' });
  const deadline = Date.now() + 5_000;
  while (received.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(received, ['Meera']);
  await off1();
  await off2();
});

test('in scale mode an event published by one process reaches subscribers in another', {
  skip: !scaleMode,
}, async () => {
  // Two independent Redis connections stand for two processes sharing one Redis and key prefix.
  const prefix = `tbus${process.pid}`;
  const [a, b] = [connectRedis(process.env.REDIS_URL!), connectRedis(process.env.REDIS_URL!)];
  const publisherSide = redisEventBus(a, prefix, t.platform.logger);
  const subscriberSide = redisEventBus(b, prefix, t.platform.logger);
  try {
    const received: string[] = [];
    await subscriberSide.subscribe(greeted, (event) => received.push(`${event.workspaceId}:${event.name}`));
    await publisherSide.publish(greeted, { workspaceId: 'ws_9', name: 'Zoya' });
    const deadline = Date.now() + 5_000;
    while (received.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(received, ['ws_9:Zoya']);
  } finally {
    await publisherSide.close();
    await subscriberSide.close();
    a.disconnect();
    b.disconnect();
  }
});
