import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO_EMAIL, seedDemoWorkspace } from '../../../src/modules/workspaces/seed.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => {
  await t.close();
});

test('the demo seed creates a usable account once, then never again', async () => {
  const seed = await seedDemoWorkspace(t.platform);
  assert.ok(seed);
  assert.equal(seed.email, DEMO_EMAIL);
  assert.ok(seed.password.length >= 16);
  assert.equal(await seedDemoWorkspace(t.platform), null);

  const login = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: DEMO_EMAIL, password: seed.password },
  });
  assert.equal(login.statusCode, 200);
  const cookie = login.cookies.find((c) => c.name === 'owaba_session')!;
  const me = await t.inject({
    method: 'GET',
    url: '/api/v1/auth/me',
    headers: { cookie: `owaba_session=${cookie.value}` },
  });
  const body = json<{ workspaces: { id: string; role: string }[] }>(me);
  assert.deepEqual(
    body.workspaces.map((w) => [w.id, w.role]),
    [[seed.workspaceId, 'owner']],
  );
  assert.ok(!t.logs.text.includes(seed.password), 'the generated password is never logged');
});
