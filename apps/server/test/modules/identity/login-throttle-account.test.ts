import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { CapturingMailer } from '../../../src/modules/identity/mailer.js';
import { createModules } from '../../../src/modules/index.js';
import { uniqueEmail } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { authClient } from './auth-client.js';

/*
 * Log-in throttling, apart from auth.test.ts: every attempt up to a limit pays for a full password hash,
 * so these tests are the slow ones; one per file keeps each well inside the per-file time limit.
 */

type ErrorReply = { error: { code: string; message: string; requestId: string } };
type SessionReply = { user: { id: string; email: string }; csrfToken: string };

const mailer = new CapturingMailer();
const password = 'correct horse battery';
let t: TestApp;
const { freshIp, logIn, auditRowOf } = authClient(() => t, '10.1', password);

before(async () => {
  // Behind a trusted proxy, so X-Forwarded-For picks the client address.
  t = await createTestApp({ modules: createModules({ mailer }), env: { TRUST_PROXY: 'true' } });
});
after(async () => {
  assert.ok(!t.logs.text.includes(password), 'the password never reaches the logs');
  await t.close();
});

async function signUp(email = uniqueEmail()) {
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    headers: freshIp(),
    payload: { email, password, name: 'Asha' },
  });
  assert.equal(res.statusCode, 201, res.body);
  return { email, body: json<SessionReply>(res) };
}

test('log-in is throttled per account (429 with Retry-After), for unknown emails too, and audited', async () => {
  const known = await signUp();
  const refusals = [];
  for (const email of [known.email, uniqueEmail('ghost')]) {
    let last = await logIn(email, 'bad password 1');
    for (let i = 0; i < 12 && last.statusCode !== 429; i++) last = await logIn(email, 'bad password 1');
    assert.equal(last.statusCode, 429);
    assert.equal(json<ErrorReply>(last).error.code, 'rate_limited');
    assert.ok(Number(last.headers['retry-after']) > 0);
    refusals.push(last);
  }
  const [onKnown, onGhost] = refusals as [(typeof refusals)[0], (typeof refusals)[0]];
  const strip = (body: string) => ({ ...json<ErrorReply>({ body } as never).error, requestId: '' });
  assert.deepEqual(strip(onKnown.body), strip(onGhost.body), 'the refusal says nothing about the account');

  // A refused attempt is a failed log-in against the account, visible to its owner.
  const row = await auditRowOf(onKnown);
  assert.equal(row.action, 'auth.login_failed');
  assert.equal(row.workspaceId, null);
  assert.equal(row.actorType, 'anonymous');
  assert.equal(row.actorLabel, known.email);
  assert.equal(row.resourceType, 'user');
  assert.equal(row.resourceId, known.body.user.id);
  assert.deepEqual(row.after, { reason: 'rate_limited', limit: 'account' });
  assert.ok(row.ip?.startsWith('10.1.'));
  const ghostRow = await auditRowOf(onGhost);
  assert.equal(ghostRow.action, 'auth.login_failed');
  assert.equal(ghostRow.resourceId, null);
  // Further refusals within the minute add no rows: a flood cannot fill the audit log.
  const again = await logIn(known.email, 'bad password 1');
  assert.equal(again.statusCode, 429);
  const flood = await t.platform.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.requestId, String(again.headers['x-request-id'])));
  assert.equal(flood.length, 0);
  const wrong = await t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'auth.login_failed'), eq(auditLog.resourceId, known.body.user.id)));
  assert.ok(
    wrong.some((r) => r.after?.reason === 'invalid_credentials'),
    'wrong passwords below the limit say so',
  );
});
