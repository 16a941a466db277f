import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { channels, wabas } from '../../../src/modules/channels/channels.tables.js';
import { channelOnboardings } from '../../../src/modules/channels/onboarding.tables.js';
import { createWorkspaceWithOwner } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { createSimWorld, type SimWorld } from '../../helpers/sim-world.js';
import { type GraphProxy, signupCode, simWaba, startGraphProxy } from './fixtures.js';

interface Outcome {
  onboarding: {
    id: string;
    state: string;
    step: string;
    lastError: { step?: string; code?: number; message: string } | null;
  };
  channel: {
    id: string;
    status: string;
    displayPhoneNumber: string | null;
    verifiedName: string | null;
    messagingLimitTier: string | null;
    qualityRating: string | null;
    throughputLevel: string | null;
    lastError: unknown;
  } | null;
}

let t: TestApp;
let world: SimWorld;
let proxy: GraphProxy;
let ws: string;
let headers: Record<string, string>;
let other: { workspaceId: string; headers: Record<string, string> };
/** Every response body of this file, searched for secrets at the end. */
const bodies: string[] = [];
const secrets: string[] = [];

before(async () => {
  world = await createSimWorld();
  proxy = await startGraphProxy(world);
  t = await createTestApp({ env: { ...world.platformEnv(), GRAPH_API_BASE_URL: proxy.url } });
  const owner = await createWorkspaceWithOwner(t, 'Dosa Co');
  ws = owner.workspaceId;
  headers = owner.owner.headers;
  const second = await createWorkspaceWithOwner(t, 'Idli Co');
  other = { workspaceId: second.workspaceId, headers: second.owner.headers };
});
after(async () => {
  await t.close();
  await proxy.close();
  await world.close();
});

async function post(url: string, payload: Record<string, unknown>, as = headers) {
  const res = await t.inject({ method: 'POST', url, headers: as, payload });
  bodies.push(res.body);
  return res;
}

const signupUrl = (workspaceId = ws) => `/api/v1/workspaces/${workspaceId}/channels/embedded-signup`;
const manualUrl = (workspaceId = ws) => `/api/v1/workspaces/${workspaceId}/channels/manual`;
const retryUrl = (id: string) => `/api/v1/workspaces/${ws}/channels/onboardings/${id}/retry`;
const registers = (phoneNumberId: string) =>
  proxy.count(new RegExp(`POST /v[\\d.]+/${phoneNumberId}/register$`));

test('Embedded Signup connects a number: token exchanged, scopes checked, app subscribed, number registered', async () => {
  const signup = await signupCode(world);
  const res = await post(signupUrl(), {
    code: signup.code,
    wabaId: signup.waba_id,
    phoneNumberId: signup.phone_number_id,
  });
  assert.equal(res.statusCode, 201, res.body);
  const body = json<Outcome>(res);
  assert.equal(body.onboarding.state, 'done');
  assert.equal(body.channel?.status, 'connected');
  assert.equal(body.channel?.verifiedName, 'Masala Dosa Co');
  assert.ok(body.channel?.displayPhoneNumber);
  assert.ok(body.channel?.messagingLimitTier?.startsWith('TIER_'));
  assert.ok(body.channel?.throughputLevel);
  for (const step of ['oauth/access_token', 'debug_token', `${signup.waba_id}/subscribed_apps`]) {
    assert.ok(
      proxy.calls.some((c) => c.includes(step)),
      `${step} called`,
    );
  }
  assert.equal(registers(signup.phone_number_id), 1);

  // The number now works for sending: the simulator accepts it as registered.
  const numbers = await world.control<{ data: { id: string; status: string }[] }>(
    'GET',
    '/_sim/phone-numbers',
  );
  const simNumber = numbers.data.find((n) => n.id === signup.phone_number_id);
  assert.equal(simNumber?.status, 'CONNECTED', 'registered at Meta');
  assert.equal(body.channel?.throughputLevel, 'STANDARD');

  const [row] = await t.platform.db.select().from(channels).where(eq(channels.id, body.channel!.id));
  const [waba] = await t.platform.db.select().from(wabas).where(eq(wabas.id, row!.wabaId));
  assert.ok(waba?.tokenSecretId && waba.subscribedAt, 'token sealed and subscription noted');
  assert.ok(row?.pinSecretId, 'the generated PIN is sealed');
  secrets.push(await t.platform.vault.reveal(ws, waba.tokenSecretId));
  secrets.push(await t.platform.vault.reveal(ws, row.pinSecretId));

  const list = await t.inject({ method: 'GET', url: `/api/v1/workspaces/${ws}/channels`, headers });
  bodies.push(list.body);
  assert.ok(json<{ items: { id: string }[] }>(list).items.some((c) => c.id === body.channel!.id));
});

test('manual connection with a system-user token and a given PIN', async () => {
  const sim = await simWaba(world);
  secrets.push(sim.token, '246810');
  const res = await post(manualUrl(), {
    accessToken: sim.token,
    wabaId: sim.wabaId,
    phoneNumberId: sim.phoneNumberId,
    pin: '246810',
  });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(json<Outcome>(res).channel?.status, 'connected');
  assert.ok(!proxy.calls.some((c) => c.includes('oauth') && c.includes(sim.wabaId)));
  assert.equal(registers(sim.phoneNumberId), 1);
});

test('a code whose scopes do not include the reported WABA is rejected', async () => {
  const signup = await signupCode(world);
  const foreign = await world.control<{ id: string }>('POST', '/_sim/wabas', {
    business_id: (await world.control<{ id: string }>('POST', '/_sim/businesses', { name: 'Someone else' }))
      .id,
  });
  const res = await post(signupUrl(), {
    code: signup.code,
    wabaId: foreign.id,
    phoneNumberId: signup.phone_number_id,
  });
  assert.equal(res.statusCode, 422, res.body);
  assert.equal(json<{ error: { code: string } }>(res).error.code, 'scope_mismatch');
  assert.equal(registers(signup.phone_number_id), 0, 'nothing registered');
  const rows = await t.platform.db.select().from(wabas).where(eq(wabas.externalId, foreign.id));
  assert.equal(rows.length, 0, 'no WABA stored');
});

test('a number already connected is refused, in the same workspace and in another one', async () => {
  const sim = await simWaba(world);
  secrets.push(sim.token);
  const body = { accessToken: sim.token, wabaId: sim.wabaId, phoneNumberId: sim.phoneNumberId };
  assert.equal((await post(manualUrl(), body)).statusCode, 201);
  for (const [url, as] of [
    [manualUrl(), headers],
    [manualUrl(other.workspaceId), other.headers],
  ] as const) {
    const res = await post(url, body, as);
    assert.equal(res.statusCode, 409, res.body);
    assert.equal(json<{ error: { code: string } }>(res).error.code, 'phone_number_taken');
  }
  assert.equal(registers(sim.phoneNumberId), 1);
});

const failingSteps = [
  { step: 'exchange_code', call: /GET \/v[\d.]+\/oauth\/access_token/, channel: null },
  { step: 'debug_token', call: /GET \/v[\d.]+\/debug_token/, channel: null },
  { step: 'subscribe_app', call: /POST \/v[\d.]+\/\d+\/subscribed_apps/, channel: 'failed' },
  { step: 'register_phone', call: /POST \/v[\d.]+\/\d+\/register/, channel: 'pending_register' },
  { step: 'fetch_numbers', call: /GET \/v[\d.]+\/\d+\/phone_numbers/, channel: 'failed' },
] as const;

for (const { step, call, channel } of failingSteps) {
  test(`a failure at ${step} leaves a clear state and a retry resumes there`, async () => {
    const signup = await signupCode(world);
    proxy.failNext(call);
    const first = await post(signupUrl(), {
      code: signup.code,
      wabaId: signup.waba_id,
      phoneNumberId: signup.phone_number_id,
    });
    assert.equal(first.statusCode, 201, first.body);
    const failed = json<Outcome>(first);
    assert.equal(failed.onboarding.state, 'failed');
    assert.equal(failed.onboarding.step, step);
    assert.equal(failed.onboarding.lastError?.step, step);
    assert.ok(failed.onboarding.lastError?.message);
    assert.equal(failed.channel?.status ?? null, channel);
    const registersBefore = registers(signup.phone_number_id);

    // A failed exchange needs a fresh code from Embedded Signup; every other step resumes as is.
    let retryBody: Record<string, unknown> = {};
    if (step === 'exchange_code') {
      const refused = await post(retryUrl(failed.onboarding.id), {});
      assert.equal(refused.statusCode, 400, refused.body);
      const again = await world.control<{ code: string }>('POST', '/_sim/signup/code', {
        app_id: world.appId,
        business_id: world.businessId,
        waba_id: signup.waba_id,
        phone_number_id: signup.phone_number_id,
      });
      retryBody = { code: again.code };
    }
    const retried = await post(retryUrl(failed.onboarding.id), retryBody);
    assert.equal(retried.statusCode, 200, retried.body);
    const done = json<Outcome>(retried);
    assert.equal(done.onboarding.state, 'done', retried.body);
    assert.equal(done.channel?.status, 'connected');
    assert.equal(done.channel?.lastError, null);
    const expectedRegisters = step === 'register_phone' ? 2 : 1;
    assert.equal(registers(signup.phone_number_id), expectedRegisters, 'register is not repeated needlessly');
    if (step === 'fetch_numbers') assert.equal(registersBefore, 1);

    const [stored] = await t.platform.db
      .select()
      .from(channelOnboardings)
      .where(eq(channelOnboardings.id, failed.onboarding.id));
    assert.ok(stored?.completed.register_phone, 'register recorded as completed');
    // A second retry of a finished onboarding changes nothing.
    const noop = await post(retryUrl(failed.onboarding.id), {});
    assert.equal(json<Outcome>(noop).onboarding.state, 'done');
    assert.equal(registers(signup.phone_number_id), expectedRegisters);
  });
}

test('the browser gets the app id, config id and Graph version; anonymous callers get 401', async () => {
  const res = await t.inject({ method: 'GET', url: '/api/v1/embedded-signup/config', headers });
  assert.equal(res.statusCode, 200, res.body);
  const body = json<{ enabled: boolean; appId: string; graphVersion: string }>(res);
  assert.equal(body.appId, world.appId);
  assert.equal(body.enabled, true);
  assert.match(body.graphVersion, /^v\d+\.0$/);
  assert.equal((await t.inject({ method: 'GET', url: '/api/v1/embedded-signup/config' })).statusCode, 401);
});

test('no token or PIN appears in logs, responses or audit rows', async () => {
  assert.ok(secrets.length >= 4, 'secrets were collected');
  const audit = JSON.stringify(
    await t.platform.db.select().from(auditLog).where(eq(auditLog.workspaceId, ws)),
  );
  assert.match(audit, /channel\.connected/);
  assert.match(audit, /channel_onboarding\.failed/);
  for (const secret of secrets) {
    assert.ok(!t.logs.text.includes(secret), 'secret in logs');
    assert.ok(!bodies.some((b) => b.includes(secret)), 'secret in a response');
    assert.ok(!audit.includes(secret), 'secret in the audit trail');
  }
});
