import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSignedInUser, uniqueEmail } from '../../helpers/access.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { scaleMode } from '../../helpers/environment.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => {
  await t.close();
});

test('embedded mode shows the operator the mailed links on a local-only outbox page', async () => {
  const email = uniqueEmail();
  await createSignedInUser(t, email);
  const reset = await t.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email } });
  assert.equal(reset.statusCode, 202);

  const page = await t.inject({ method: 'GET', url: '/operator/outbox', remoteAddress: '127.0.0.1' });
  if (scaleMode) {
    assert.equal(page.statusCode, 404, 'scale mode has no outbox page');
    return;
  }
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(email.replace(/[.+]/g, '\\$&')));
  assert.match(page.body, /reset-password\?token=/);

  const remote = await t.inject({ method: 'GET', url: '/operator/outbox', remoteAddress: '203.0.113.9' });
  assert.equal(remote.statusCode, 404, 'never shown to another machine');
});
