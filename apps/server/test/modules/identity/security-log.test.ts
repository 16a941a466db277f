import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { CapturingMailer, type MailMessage } from '../../../src/modules/identity/mailer.js';
import { createModules } from '../../../src/modules/index.js';
import { createKey, uniqueEmail } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { authClient } from './auth-client.js';

type ErrorReply = { error: { code: string; message: string; requestId: string } };
type SessionReply = { user: { id: string; email: string }; csrfToken: string; workspaceId: string };
type Entry = {
  id: string;
  action: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  resourceType: string;
  resourceId: string | null;
  after: Record<string, unknown> | null;
  ip: string | null;
  requestId: string | null;
};
type Page = { items: Entry[]; nextCursor: string | null };

/** Captures like the test mailer, but delivery to a `bounce` address fails (a transport that is down). */
class BouncingMailer extends CapturingMailer {
  override async send(message: MailMessage): Promise<void> {
    if (message.to.startsWith('bounce')) throw new Error('mail transport refused the message');
    await super.send(message);
  }
}

const mailer = new BouncingMailer();
const password = 'correct horse battery';
let t: TestApp;
const { freshIp, logIn } = authClient(() => t, '10.2', password);

before(async () => {
  // Behind a trusted proxy, so each call comes from its own address and no per-IP limit bites.
  t = await createTestApp({ modules: createModules({ mailer }), env: { TRUST_PROXY: 'true' } });
});
after(() => t.close());

async function signUp(email = uniqueEmail()) {
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    headers: freshIp(),
    payload: { email, password, name: 'Asha' },
  });
  assert.equal(res.statusCode, 201, res.body);
  const body = json<SessionReply>(res);
  const token = res.cookies.find((c) => c.name === 'owaba_session')?.value;
  assert.ok(token);
  return { email, id: body.user.id, workspaceId: body.workspaceId, token, csrf: body.csrfToken };
}

async function securityLog(token: string, query = ''): Promise<Page> {
  const res = await t.inject({
    method: 'GET',
    url: `/api/v1/me/security-log${query}`,
    headers: { cookie: `owaba_session=${token}` },
  });
  assert.equal(res.statusCode, 200, res.body);
  return json<Page>(res);
}

/** Every page, following the cursor. */
async function wholeLog(token: string, limit: number): Promise<Entry[]> {
  const all: Entry[] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await securityLog(token, `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.ok(page.items.length <= limit);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

test("the security log holds the user's own account events, paged, and never another user's", async () => {
  const alice = await signUp(uniqueEmail('alice'));
  const bob = await signUp(uniqueEmail('bob'));
  assert.equal((await logIn(alice.email)).statusCode, 200);
  assert.equal((await logIn(alice.email, 'not her password')).statusCode, 401);
  assert.equal((await logIn(bob.email)).statusCode, 200);
  assert.equal((await logIn(bob.email, 'not his password')).statusCode, 401);
  const reset = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/password-reset',
    headers: freshIp(),
    payload: { email: bob.email },
  });
  assert.equal(reset.statusCode, 202);
  const changed = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/password',
    headers: { cookie: `owaba_session=${alice.token}`, 'x-csrf-token': alice.csrf },
    payload: { currentPassword: password, newPassword: 'her brand new secret' },
  });
  assert.equal(changed.statusCode, 204);

  const whole = await wholeLog(alice.token, 2);
  const actions = whole.map((e) => e.action);
  for (const action of ['user.signed_up', 'auth.login', 'auth.login_failed', 'user.password_changed']) {
    assert.ok(actions.includes(action), `${action} is in the log`);
  }
  assert.ok(!actions.includes('workspace.created'), 'workspace rows stay in the workspace audit trail');
  assert.equal(new Set(whole.map((e) => e.id)).size, whole.length, 'no row on two pages');
  assert.deepEqual(
    whole.map((e) => e.id),
    [...whole.map((e) => e.id)].sort().reverse(),
    'newest first',
  );
  for (const entry of whole) {
    assert.ok(entry.actorId === alice.id || entry.resourceId === alice.id, `${entry.action} is hers`);
  }
  const text = JSON.stringify(whole);
  assert.ok(!text.includes(bob.id) && !text.includes(bob.email), "nothing of Bob's");
  const failed = whole.find((e) => e.action === 'auth.login_failed');
  assert.equal(failed?.actorType, 'anonymous', 'a failed attempt by someone else against her account');
  assert.ok(failed?.ip && failed.requestId);

  const first = await securityLog(alice.token, '?limit=1');
  assert.equal(first.items.length, 1);
  assert.equal(first.items[0]?.id, whole[0]?.id);
  assert.equal(first.items[0]?.action, 'user.password_changed', 'the latest event comes first');

  const bobs = await wholeLog(bob.token, 50);
  assert.ok(bobs.some((e) => e.action === 'auth.password_reset_requested'));
  assert.ok(!JSON.stringify(bobs).includes(alice.id));
});

test('the security log needs a signed-in user, and checks its cursor', async () => {
  const none = await t.inject({ method: 'GET', url: '/api/v1/me/security-log' });
  assert.equal(none.statusCode, 401);
  assert.equal(json<ErrorReply>(none).error.code, 'unauthenticated');
  const bogus = await t.inject({
    method: 'GET',
    url: '/api/v1/me/security-log',
    headers: { cookie: 'owaba_session=nope' },
  });
  assert.equal(bogus.statusCode, 401);

  const user = await signUp();
  const key = await createKey(t, user.workspaceId, 'owner');
  const byKey = await t.inject({ method: 'GET', url: '/api/v1/me/security-log', headers: key.headers });
  assert.equal(byKey.statusCode, 403, 'an API key has no account of its own');

  const badCursor = await t.inject({
    method: 'GET',
    url: '/api/v1/me/security-log?cursor=not-a-cursor',
    headers: { cookie: `owaba_session=${user.token}` },
  });
  assert.equal(badCursor.statusCode, 400);
});

test('a password reset answers alike for unknown, known and undeliverable addresses, and is audited', async () => {
  const known = await signUp();
  const bouncing = await signUp(uniqueEmail('bounce'));
  const unknown = uniqueEmail('unknown');
  const ask = (email: string) =>
    t.inject({ method: 'POST', url: '/api/v1/auth/password-reset', headers: freshIp(), payload: { email } });
  const replies = [await ask(unknown), await ask(known.email), await ask(bouncing.email)];
  for (const res of replies) {
    assert.equal(res.statusCode, 202);
    assert.equal(res.body, replies[0]?.body);
  }
  assert.ok(mailer.last('password_reset', known.email), 'the known address gets its link');
  assert.equal(mailer.sent.filter((m) => m.to === unknown).length, 0);

  const rows = await t.platform.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.action, 'auth.password_reset_requested'));
  const byLabel = new Map(rows.map((r) => [r.actorLabel, r]));
  assert.equal(byLabel.get(unknown)?.resourceId, null);
  assert.deepEqual(byLabel.get(unknown)?.after, { accountExists: false });
  assert.equal(byLabel.get(known.email)?.resourceId, known.id);
  assert.equal(byLabel.get(bouncing.email)?.resourceId, bouncing.id);
  // The failed delivery is logged, without its link.
  await new Promise((resolve) => setImmediate(resolve));
  assert.match(t.logs.text, /reset email failed/);
});

test('session cookies are Secure over plain HTTP when PUBLIC_URL is HTTPS', async () => {
  const https = await createTestApp({
    modules: createModules({ mailer }),
    env: { PUBLIC_URL: 'https://wa.example.com' },
  });
  try {
    const res = await https.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email: uniqueEmail('tls'), password, name: 'Tess' },
    });
    assert.equal(res.statusCode, 201, res.body);
    for (const name of ['owaba_session', 'owaba_csrf']) {
      assert.equal(res.cookies.find((c) => c.name === name)?.secure, true, `${name} is Secure`);
    }
    const token = res.cookies.find((c) => c.name === 'owaba_session')!.value;
    const out = await https.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: `owaba_session=${token}`, 'x-csrf-token': json<SessionReply>(res).csrfToken },
    });
    assert.equal(out.statusCode, 204);
    const cleared = out.cookies.find((c) => c.name === 'owaba_session');
    assert.equal(cleared?.value, '');
    assert.equal(cleared?.secure, true, 'the clearing cookie matches, or browsers keep the old one');
  } finally {
    await https.close();
  }
});
