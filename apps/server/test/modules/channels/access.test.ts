import { after, before, test } from 'node:test';
import { insertOnboarding } from '../../../src/modules/channels/channels.repository.js';
import { startOnboarding } from '../../../src/modules/channels/onboarding.service.js';
import { systemActor } from '../../../src/platform/http/auth.js';
import { newId } from '../../../src/platform/ids.js';
import { type AccessFixture, assertRouteAccess, createAccessFixture } from '../../helpers/access.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createSimWorld, type SimWorld } from '../../helpers/sim-world.js';
import { type GraphProxy, seedChannel, signupCode, simWaba, startGraphProxy } from './fixtures.js';

let t: TestApp;
let world: SimWorld;
let proxy: GraphProxy;
let fx: AccessFixture;
const base = '/api/v1/workspaces/:workspaceId/channels';
/** Calls per assertRouteAccess run that evaluate the body: anonymous, 2 outsiders, 4 roles × (session, key). */
const CALLS = 11;

before(async () => {
  world = await createSimWorld();
  proxy = await startGraphProxy(world);
  t = await createTestApp({ env: { ...world.platformEnv(), GRAPH_API_BASE_URL: proxy.url } });
  fx = await createAccessFixture(t);
});
after(async () => {
  await t.close();
  await proxy.close();
  await world.close();
});

/** A real channel per workspace, reused across attempts (reads and syncs leave it as it is). */
function channelPerWorkspace() {
  const made = new Map<string, Promise<string>>();
  return (workspaceId: string) => {
    if (!made.has(workspaceId))
      made.set(
        workspaceId,
        seedChannel(t, world, workspaceId).then((c) => c.channelId),
      );
    return made.get(workspaceId)!.then((channelId) => ({ channelId }));
  };
}

test('listing and reading channels', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: base });
  await assertRouteAccess(t, fx, {
    method: 'GET',
    path: `${base}/:channelId`,
    params: channelPerWorkspace(),
  });
});

test('connecting through Embedded Signup', async () => {
  const pool = await Promise.all(Array.from({ length: CALLS }, () => signupCode(world)));
  await assertRouteAccess(t, fx, {
    method: 'POST',
    path: `${base}/embedded-signup`,
    body: () => {
      const next = pool.shift()!;
      return { code: next.code, wabaId: next.waba_id, phoneNumberId: next.phone_number_id };
    },
  });
});

test('connecting manually', async () => {
  const pool = await Promise.all(Array.from({ length: CALLS }, () => simWaba(world)));
  await assertRouteAccess(t, fx, {
    method: 'POST',
    path: `${base}/manual`,
    body: () => {
      const next = pool.shift()!;
      return { accessToken: next.token, wabaId: next.wabaId, phoneNumberId: next.phoneNumberId };
    },
  });
});

test('reading and retrying onboardings', async () => {
  await assertRouteAccess(t, fx, {
    method: 'GET',
    path: `${base}/onboardings/:onboardingId`,
    params: async (workspaceId) => {
      const row = await insertOnboarding(t.platform.db, {
        id: newId('onboarding'),
        workspaceId,
        method: 'manual',
        wabaExternalId: '1000000001',
        state: 'failed',
        step: 'debug_token',
      });
      return { onboardingId: row.id };
    },
  });
  await assertRouteAccess(t, fx, {
    method: 'POST',
    path: `${base}/onboardings/:onboardingId/retry`,
    body: () => ({}),
    params: async (workspaceId) => {
      // A real onboarding that failed after register, at listing the numbers: the retry then succeeds.
      const sim = await simWaba(world);
      proxy.failNext(new RegExp(`GET /v[\\d.]+/${sim.wabaId}/phone_numbers`));
      const started = await startOnboarding(t.platform, systemActor('test'), workspaceId, 'manual', {
        accessToken: sim.token,
        wabaExternalId: sim.wabaId,
        phoneNumberId: sim.phoneNumberId,
      });
      return { onboardingId: started.onboarding.id };
    },
  });
});

test('syncing and disconnecting', async () => {
  await assertRouteAccess(t, fx, {
    method: 'POST',
    path: `${base}/:channelId/sync`,
    params: channelPerWorkspace(),
  });
  await assertRouteAccess(t, fx, {
    method: 'POST',
    path: `${base}/:channelId/disconnect`,
    params: async (workspaceId) => ({ channelId: (await seedChannel(t, world, workspaceId)).channelId }),
  });
});
