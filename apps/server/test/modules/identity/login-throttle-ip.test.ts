import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CapturingMailer } from '../../../src/modules/identity/mailer.js';
import { createModules } from '../../../src/modules/index.js';
import { uniqueEmail } from '../../helpers/access.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { authClient } from './auth-client.js';

/*
 * Log-in throttling, apart from auth.test.ts: every attempt up to a limit pays for a full password hash,
 * so these tests are the slow ones; one per file keeps each well inside the per-file time limit.
 */

const mailer = new CapturingMailer();
const password = 'correct horse battery';
let t: TestApp;
const { logIn, auditRowOf } = authClient(() => t, '10.1', password);

before(async () => {
  // Behind a trusted proxy, so X-Forwarded-For picks the client address.
  t = await createTestApp({ modules: createModules({ mailer }), env: { TRUST_PROXY: 'true' } });
});
after(async () => {
  assert.ok(!t.logs.text.includes(password), 'the password never reaches the logs');
  await t.close();
});

test('log-in is throttled per IP across accounts, and the refusal is audited', async () => {
  const headers = { 'x-forwarded-for': '203.0.113.77' };
  let last = await logIn(uniqueEmail('ip'), 'bad password 1', headers);
  for (let i = 0; i < 40 && last.statusCode !== 429; i++) {
    last = await logIn(uniqueEmail('ip'), 'bad password 1', headers);
  }
  assert.equal(last.statusCode, 429);
  const row = await auditRowOf(last);
  assert.equal(row.action, 'auth.login_failed');
  assert.equal(row.ip, '203.0.113.77');
  assert.deepEqual(row.after, { reason: 'rate_limited', limit: 'ip' });
  // Another address is not affected.
  const other = await logIn(uniqueEmail('ip'), 'bad password 1', { 'x-forwarded-for': '203.0.113.78' });
  assert.equal(other.statusCode, 401);
});
