import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { defineTopic } from '../../src/platform/events/event-bus.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

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
