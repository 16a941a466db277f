import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type Caller,
  createKey,
  createSignedInUser,
  createWorkspaceWithOwner,
} from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { scaleMode } from '../../helpers/environment.js';
import { createSimWorld, type SimWorld } from '../../helpers/sim-world.js';
import { eventually } from '../channels/fixtures.js';

/**
 * The simulator phone's proxy: a signed-in person plays a virtual customer through the platform's own
 * origin. Only in embedded mode with the in-process simulator; everywhere else its routes are 404.
 */

let world: SimWorld;
let t: TestApp;
let owner: Caller & { userId: string };
let workspaceId: string;

type Bubble = {
  id: string;
  direction: string;
  type: string;
  status: string;
  header: string | null;
  text: string;
  footer: string | null;
  buttons: { id: string | null; title: string; kind: string }[];
};

const call = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) =>
  t.inject({ method, url, headers, ...(payload ? { payload } : {}) });

before(async () => {
  world = await createSimWorld();
  t = await createTestApp({
    env: { ...world.platformEnv(), GRAPH_SIM: 'true', GRAPH_SIM_PORT: String(world.sim.port) },
    listen: true,
  });
  await world.setCallback(`${t.url}/webhooks/whatsapp`);
  ({ owner, workspaceId } = await createWorkspaceWithOwner(t));
});
after(async () => {
  await t?.close();
  await world?.close();
});

describe('in scale mode', { skip: !scaleMode }, () => {
  test('every simulator route is 404, even with the simulator configured', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/simulator'],
      ['GET', '/api/v1/simulator/customers'],
      ['POST', '/api/v1/simulator/signup'],
    ] as const) {
      const res = await call(method, url, owner.headers, method === 'POST' ? {} : undefined);
      assert.equal(res.statusCode, 404, `${method} ${url}`);
    }
  });
});

describe('in embedded mode', { skip: scaleMode }, () => {
  let phoneNumberId: string;
  let channelId: string;
  const waId = `4477${String(Date.now()).slice(-8)}`;

  test('without the in-process simulator the routes do not exist', async () => {
    const plain = await createTestApp({ worker: false });
    try {
      const res = await plain.inject({ method: 'GET', url: '/api/v1/simulator' });
      assert.equal(res.statusCode, 404);
    } finally {
      await plain.close();
    }
  });

  test('only signed-in people may use it: no credentials → 401, an API key → 403', async () => {
    assert.equal((await call('GET', '/api/v1/simulator', {})).statusCode, 401);
    const key = await createKey(t, workspaceId, 'owner');
    assert.equal((await call('GET', '/api/v1/simulator/customers', key.headers)).statusCode, 403);
    const status = await call('GET', '/api/v1/simulator', owner.headers);
    assert.deepEqual(json(status), { enabled: true });
  });

  test("Embedded Signup's stand-in hands out a code that connects a number", async () => {
    const signup = await call('POST', '/api/v1/simulator/signup', owner.headers, {
      businessName: 'Dosa Corner',
      displayPhoneNumber: '+1 555-010-4242',
      verifiedName: 'Dosa Corner',
    });
    assert.equal(signup.statusCode, 201, signup.body);
    // The FINISH event's ids, as the browser passes them on.
    const ids = json<{ code: string; wabaId: string; phoneNumberId: string; businessId: string }>(signup);
    const connect = await call(
      'POST',
      `/api/v1/workspaces/${workspaceId}/channels/embedded-signup`,
      owner.headers,
      ids,
    );
    assert.equal(connect.statusCode, 201, connect.body);
    const outcome = json<{ onboarding: { state: string }; channel: { id: string; status: string } }>(connect);
    assert.equal(outcome.onboarding.state, 'done');
    assert.equal(outcome.channel.status, 'connected');
    phoneNumberId = ids.phoneNumberId;
    channelId = outcome.channel.id;

    const invalid = await call('POST', '/api/v1/simulator/signup', owner.headers, {
      displayPhoneNumber: 'call me',
    });
    assert.equal(invalid.statusCode, 400);
    assert.equal(
      json<{ error: { details: { path: string }[] } }>(invalid).error.details[0]?.path,
      'body.displayPhoneNumber',
    );
  });

  test('a virtual customer writes, the business answers, the phone shows both with ticks', async () => {
    const created = await call('POST', '/api/v1/simulator/customers', owner.headers, { name: 'Priya', waId });
    assert.equal(created.statusCode, 201, created.body);
    const customers = json<{ items: { waId: string; name: string }[] }>(
      await call('GET', '/api/v1/simulator/customers', owner.headers),
    );
    assert.ok(customers.items.some((c) => c.waId === waId && c.name === 'Priya'));

    const sent = await call('POST', `/api/v1/simulator/customers/${waId}/messages`, owner.headers, {
      phoneNumberId,
      text: 'Is the shop open today?',
    });
    assert.equal(sent.statusCode, 201, sent.body);

    // The message went through Meta's webhook path into the inbox.
    await eventually(
      async () =>
        json<{ items: { id: string }[] }>(
          await call('GET', `/api/v1/workspaces/${workspaceId}/conversations`, owner.headers),
        ).items.length,
      (n) => n === 1,
    );

    const answer = await call('POST', `/api/v1/workspaces/${workspaceId}/messages`, owner.headers, {
      channelId,
      to: waId,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Yes, until 9 pm. Shall we keep a table?' },
        action: { buttons: [{ type: 'reply', reply: { id: 'table_yes', title: 'Yes please' } }] },
      },
    });
    assert.equal(answer.statusCode, 202, answer.body);

    const chat = () =>
      call(
        'GET',
        `/api/v1/simulator/customers/${waId}/messages?phoneNumberId=${phoneNumberId}`,
        owner.headers,
      );
    const items = await eventually(
      async () => json<{ items: Bubble[] }>(await chat()).items,
      (list) => list.length === 2 && list[1]?.status === 'delivered',
    );
    assert.equal(items[0]?.direction, 'from_customer');
    assert.equal(items[0]?.text, 'Is the shop open today?');
    assert.equal(items[1]?.direction, 'to_customer');
    assert.equal(items[1]?.text, 'Yes, until 9 pm. Shall we keep a table?');
    assert.deepEqual(items[1]?.buttons, [{ id: 'table_yes', title: 'Yes please', kind: 'reply' }]);

    const read = await call('POST', `/api/v1/simulator/customers/${waId}/read`, owner.headers, {
      phoneNumberId,
    });
    assert.equal(json<{ read: number }>(read).read, 1);
    await eventually(
      async () => json<{ items: Bubble[] }>(await chat()).items[1]?.status,
      (status) => status === 'read',
    );

    const tap = await call('POST', `/api/v1/simulator/customers/${waId}/messages`, owner.headers, {
      phoneNumberId,
      reply: { messageId: items[1]!.id, id: 'table_yes', title: 'Yes please', kind: 'reply' },
    });
    assert.equal(tap.statusCode, 201, tap.body);
    const after = json<{ items: Bubble[] }>(await chat()).items;
    assert.equal(after.at(-1)?.text, 'Yes please');
  });

  test('templates show filled in from their definition', async () => {
    const created = await call('POST', `/api/v1/workspaces/${workspaceId}/templates`, owner.headers, {
      channelId,
      template: {
        name: 'table_ready',
        language: 'en_US',
        category: 'UTILITY',
        components: [
          { type: 'HEADER', format: 'TEXT', text: 'Table for {{1}}', example: { header_text: ['Priya'] } },
          {
            type: 'BODY',
            text: 'Hi {{1}}, your table is ready at {{2}}.',
            example: { body_text: [['Priya', '8 pm']] },
          },
          { type: 'FOOTER', text: 'Dosa Corner' },
          { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'On my way' }] },
        ],
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const templateId = json<{ template: { id: string } }>(created).template.id;
    await eventually(
      async () =>
        json<{ template: { status: string } }>(
          await call('GET', `/api/v1/workspaces/${workspaceId}/templates/${templateId}`, owner.headers),
        ).template.status,
      (status) => status === 'APPROVED',
    );
    const sent = await call('POST', `/api/v1/workspaces/${workspaceId}/messages`, owner.headers, {
      channelId,
      to: waId,
      type: 'template',
      template: {
        name: 'table_ready',
        language: 'en_US',
        parameters: { header: 'Priya', body: ['Priya', '8 pm'] },
      },
    });
    assert.equal(sent.statusCode, 202, sent.body);
    const bubble = await eventually(
      async () =>
        json<{ items: Bubble[] }>(
          await call(
            'GET',
            `/api/v1/simulator/customers/${waId}/messages?phoneNumberId=${phoneNumberId}`,
            owner.headers,
          ),
        ).items.find((m) => m.type === 'template'),
      (found) => found !== undefined,
    );
    assert.equal(bubble?.header, 'Table for Priya');
    assert.equal(bubble?.text, 'Hi Priya, your table is ready at 8 pm.');
    assert.equal(bubble?.footer, 'Dosa Corner');
    assert.deepEqual(bubble?.buttons, [{ id: 'On my way', title: 'On my way', kind: 'quick_reply' }]);
  });

  test('a number whose token Meta rejects shows needs_reauth, and signing up again reconnects it', async () => {
    await world.control('POST', '/_sim/faults', {
      kind: 'send-error',
      code: 190,
      http_status: 401,
      phone_number_id: phoneNumberId,
    });
    const refused = await call('POST', `/api/v1/workspaces/${workspaceId}/messages`, owner.headers, {
      channelId,
      to: waId,
      type: 'text',
      text: { body: 'Your table is ready' },
    });
    assert.equal(refused.statusCode, 202, refused.body);
    const channelStatus = async () =>
      json<{ status: string }>(
        await call('GET', `/api/v1/workspaces/${workspaceId}/channels/${channelId}`, owner.headers),
      ).status;
    await eventually(channelStatus, (status) => status === 'needs_reauth');

    const stranger = await createSignedInUser(t);
    const probe = await call('POST', '/api/v1/simulator/signup', stranger.headers, {
      reconnectPhoneNumberId: phoneNumberId,
    });
    assert.equal(probe.statusCode, 404);

    const signup = await call('POST', '/api/v1/simulator/signup', owner.headers, {
      reconnectPhoneNumberId: phoneNumberId,
    });
    assert.equal(signup.statusCode, 201, signup.body);
    const ids = json<{ code: string; wabaId: string; phoneNumberId: string; businessId: string }>(signup);
    assert.equal(ids.phoneNumberId, phoneNumberId);
    const connect = await call(
      'POST',
      `/api/v1/workspaces/${workspaceId}/channels/embedded-signup`,
      owner.headers,
      ids,
    );
    assert.equal(connect.statusCode, 201, connect.body);
    assert.equal(
      json<{ channel: { id: string } }>(connect).channel.id,
      channelId,
      'the same channel comes back',
    );
    assert.equal(await channelStatus(), 'connected');
  });

  test("someone outside the number's workspace gets 404", async () => {
    const stranger = await createSignedInUser(t);
    const read = await call(
      'GET',
      `/api/v1/simulator/customers/${waId}/messages?phoneNumberId=${phoneNumberId}`,
      stranger.headers,
    );
    assert.equal(read.statusCode, 404);
    const write = await call('POST', `/api/v1/simulator/customers/${waId}/messages`, stranger.headers, {
      phoneNumberId,
      text: 'hello',
    });
    assert.equal(write.statusCode, 404);
    const unknown = await call(
      'GET',
      `/api/v1/simulator/customers/${waId}/messages?phoneNumberId=999999`,
      owner.headers,
    );
    assert.equal(unknown.statusCode, 404);
  });
});
