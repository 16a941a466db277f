import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { sessions, users } from '../../../src/modules/identity/identity.tables.js';
import { CapturingMailer } from '../../../src/modules/identity/mailer.js';
import { createModules } from '../../../src/modules/index.js';
import { workspaceMembers } from '../../../src/modules/workspaces/workspaces.tables.js';
import { uniqueEmail } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';

type ErrorReply = { error: { code: string; message: string; requestId: string } };
type SessionReply = { user: { id: string; email: string }; csrfToken: string; workspaceId?: string };

const mailer = new CapturingMailer();
let t: TestApp;
const password = 'correct horse battery';
const secretsSeen: string[] = [password];

before(async () => {
  // Behind a trusted proxy, so X-Forwarded-For/-Proto pick the client address and scheme.
  t = await createTestApp({ modules: createModules({ mailer }), env: { TRUST_PROXY: 'true' } });
});
after(async () => {
  // No password, token, session id or key leaks into any log line.
  for (const secret of secretsSeen) assert.ok(!t.logs.text.includes(secret), `a secret reached the logs`);
  await t.close();
});

function sessionCookie(res: { cookies: { name: string; value: string }[] }): string {
  const cookie = res.cookies.find((c) => c.name === 'owaba_session');
  assert.ok(cookie, 'the reply sets the session cookie');
  secretsSeen.push(cookie.value);
  return cookie.value;
}

/**
 * Each call from its own address (set by the trusted proxy), so the per-IP limits only bite in the test that
 * aims at them.
 */
let ipCounter = 0;
function freshIp(): Record<string, string> {
  ipCounter += 1;
  return { 'x-forwarded-for': `10.1.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}` };
}

function authHeaders(token: string, csrf: string) {
  return { cookie: `owaba_session=${token}`, 'x-csrf-token': csrf };
}

async function signUp(email = uniqueEmail(), extra: Record<string, unknown> = {}) {
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    headers: freshIp(),
    payload: { email, password, name: 'Asha', ...extra },
  });
  assert.equal(res.statusCode, 201, res.body);
  const body = json<SessionReply>(res);
  return { email, res, body, token: sessionCookie(res), csrf: body.csrfToken };
}

async function logIn(email: string, pw = password, headers: Record<string, string> = freshIp()) {
  return t.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: pw }, headers });
}

test('sign-up creates the user, their workspace as Owner and a session, with audit rows', async () => {
  const { body, token, res, email } = await signUp(uniqueEmail().toUpperCase());
  assert.equal(body.user.email, email.toLowerCase());
  assert.ok(body.workspaceId);
  const [member] = await t.platform.db
    .select()
    .from(workspaceMembers)
    .where(eq(workspaceMembers.workspaceId, body.workspaceId));
  assert.equal(member?.role, 'owner');
  assert.equal(member?.userId, body.user.id);
  const actions = (await t.platform.db.select().from(auditLog).where(eq(auditLog.actorId, body.user.id))).map(
    (r) => r.action,
  );
  assert.deepEqual(actions.sort(), ['member.added', 'user.signed_up', 'workspace.created']);
  const cookie = res.cookies.find((c) => c.name === 'owaba_session')!;
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  assert.notEqual(cookie.secure, true, 'plain HTTP gets no Secure flag');
  assert.ok(!res.body.includes(token), 'the token is only in the cookie');
  const [stored] = await t.platform.db.select().from(users).where(eq(users.id, body.user.id));
  assert.ok(stored?.passwordHash.startsWith('scrypt$'));
  assert.ok(!stored?.passwordHash.includes(password));
});

test('sign-up over HTTPS (behind a proxy) sets Secure cookies', async () => {
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    headers: { 'x-forwarded-proto': 'https' },
    payload: { email: uniqueEmail(), password, name: 'Sam' },
  });
  assert.equal(res.statusCode, 201);
  assert.equal(res.cookies.find((c) => c.name === 'owaba_session')?.secure, true);
  sessionCookie(res);
});

test('sign-up with bad input answers 400 naming the fields and creates nothing', async () => {
  const [{ n: before }] = (await t.platform.db.select({ n: sql<number>`count(*)::int` }).from(users)) as [
    { n: number },
  ];
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email: 'not-an-email', password: 'short', name: '' },
  });
  assert.equal(res.statusCode, 400);
  const body = json<ErrorReply & { error: { details: { path: string }[] } }>(res);
  assert.equal(body.error.code, 'validation_failed');
  assert.equal(body.error.requestId, res.headers['x-request-id']);
  assert.deepEqual(body.error.details.map((d) => d.path).sort(), [
    'body.email',
    'body.name',
    'body.password',
  ]);
  const [{ n: afterCount }] = (await t.platform.db.select({ n: sql<number>`count(*)::int` }).from(users)) as [
    { n: number },
  ];
  assert.equal(afterCount, before);
});

test('sign-up with a taken email answers 409', async () => {
  const { email } = await signUp();
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email: ` ${email.toUpperCase()} `, password, name: 'Again' },
  });
  assert.equal(res.statusCode, 409);
  assert.equal(json<ErrorReply>(res).error.code, 'already_exists');
});

test('sign-up rolls back entirely when its audit row cannot be written', async () => {
  const email = uniqueEmail('rollback');
  await t.platform.db.execute(
    sql.raw(
      `alter table audit_log add constraint test_refuse_workspace_created check (action <> 'workspace.created') not valid`,
    ),
  );
  try {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email, password, name: 'Rolled' },
    });
    assert.equal(res.statusCode, 500);
  } finally {
    await t.platform.db.execute(
      sql.raw('alter table audit_log drop constraint test_refuse_workspace_created'),
    );
  }
  const found = await t.platform.db.select().from(users).where(eq(users.email, email));
  assert.equal(found.length, 0, 'the user was rolled back with the failed audit write');
});

test('log-in sets a session; wrong password and unknown email get the same reply', async () => {
  const { email } = await signUp();
  const ok = await logIn(email);
  assert.equal(ok.statusCode, 200);
  const token = sessionCookie(ok);
  const me = await t.inject({
    method: 'GET',
    url: '/api/v1/auth/me',
    headers: { cookie: `owaba_session=${token}` },
  });
  assert.equal(me.statusCode, 200);
  assert.equal(json<{ user: { email: string } }>(me).user.email, email);

  const wrong = await logIn(email, 'wrong password!!');
  const unknown = await logIn(uniqueEmail('nobody'), 'wrong password!!');
  assert.equal(wrong.statusCode, 401);
  assert.equal(unknown.statusCode, 401);
  const strip = (body: string) => ({ ...json<ErrorReply>({ body } as never).error, requestId: '' });
  assert.deepEqual(strip(wrong.body), strip(unknown.body));
  assert.equal(wrong.cookies.length, 0);

  const rows = await t.platform.db.select().from(auditLog).where(eq(auditLog.actorLabel, email));
  assert.ok(rows.some((r) => r.action === 'auth.login_failed' && r.actorType === 'anonymous'));
  const logins = await t.platform.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login'));
  assert.ok(logins.some((r) => r.actorLabel === email && r.ip && r.requestId));
});

test('cookie-authenticated writes need the CSRF header; reads do not', async () => {
  const { token, csrf } = await signUp();
  const cookieOnly = { cookie: `owaba_session=${token}` };
  const read = await t.inject({ method: 'GET', url: '/api/v1/auth/me', headers: cookieOnly });
  assert.equal(read.statusCode, 200);
  assert.equal(json<{ csrfToken: string }>(read).csrfToken, csrf);
  for (const headers of [cookieOnly, { ...cookieOnly, 'x-csrf-token': 'forged' }]) {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/workspaces',
      headers,
      payload: { name: 'X' },
    });
    assert.equal(res.statusCode, 403);
    assert.equal(json<ErrorReply>(res).error.code, 'csrf_failed');
  }
  const ok = await t.inject({
    method: 'POST',
    url: '/api/v1/workspaces',
    headers: authHeaders(token, csrf),
    payload: { name: 'With CSRF' },
  });
  assert.equal(ok.statusCode, 201);
});

test('unauthenticated or bogus credentials answer 401', async () => {
  const none = await t.inject({ method: 'GET', url: '/api/v1/auth/me' });
  assert.equal(none.statusCode, 401);
  const bogusCookie = await t.inject({
    method: 'GET',
    url: '/api/v1/auth/me',
    headers: { cookie: 'owaba_session=nope' },
  });
  assert.equal(bogusCookie.statusCode, 401);
  const bogusKey = await t.inject({
    method: 'GET',
    url: '/api/v1/auth/me',
    headers: { authorization: 'Bearer owk_notakey' },
  });
  assert.equal(bogusKey.statusCode, 401);
});

test('log-out ends this session only; log-out-everywhere ends all', async () => {
  const { email, token: first, csrf: firstCsrf } = await signUp();
  const second = await logIn(email);
  const secondToken = sessionCookie(second);
  const secondCsrf = json<SessionReply>(second).csrfToken;
  const me = (token: string) =>
    t.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: `owaba_session=${token}` } });

  const out = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/logout',
    headers: authHeaders(first, firstCsrf),
  });
  assert.equal(out.statusCode, 204);
  assert.ok(out.cookies.some((c) => c.name === 'owaba_session' && c.value === ''));
  assert.equal((await me(first)).statusCode, 401);
  assert.equal((await me(secondToken)).statusCode, 200);

  const third = sessionCookie(await logIn(email));
  const all = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/logout-everywhere',
    headers: authHeaders(secondToken, secondCsrf),
  });
  assert.equal(all.statusCode, 204);
  assert.equal((await me(secondToken)).statusCode, 401);
  assert.equal((await me(third)).statusCode, 401);
});

test('an expired session is refused', async () => {
  const { token, body } = await signUp();
  await t.platform.db
    .update(sessions)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(sessions.userId, body.user.id));
  const res = await t.inject({
    method: 'GET',
    url: '/api/v1/auth/me',
    headers: { cookie: `owaba_session=${token}` },
  });
  assert.equal(res.statusCode, 401);
});

test('password change checks the current password and ends other sessions', async () => {
  const { email, token, csrf } = await signUp();
  const other = sessionCookie(await logIn(email));
  const wrong = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/password',
    headers: authHeaders(token, csrf),
    payload: { currentPassword: 'not it at all', newPassword: 'a brand new secret' },
  });
  assert.equal(wrong.statusCode, 400);
  assert.equal((await logIn(email)).statusCode, 200, 'the old password still works after a refused change');

  const newPassword = 'a brand new secret';
  secretsSeen.push(newPassword);
  const ok = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/password',
    headers: authHeaders(token, csrf),
    payload: { currentPassword: password, newPassword },
  });
  assert.equal(ok.statusCode, 204);
  const me = (tk: string) =>
    t.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: `owaba_session=${tk}` } });
  assert.equal((await me(token)).statusCode, 200, 'this session stays');
  assert.equal((await me(other)).statusCode, 401, 'other sessions end');
  assert.equal((await logIn(email)).statusCode, 401);
  assert.equal((await logIn(email, newPassword)).statusCode, 200);
});

test('password reset: one-time emailed token, same reply for unknown emails', async () => {
  const { email, token: oldSession } = await signUp();
  const unknown = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/password-reset',
    payload: { email: uniqueEmail('unknown') },
  });
  const known = await t.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email } });
  assert.equal(unknown.statusCode, 202);
  assert.equal(known.statusCode, 202);
  assert.equal(unknown.body, known.body);
  const resetToken = mailer.tokenFor('password_reset', email);
  secretsSeen.push(resetToken);
  assert.ok(mailer.last('password_reset', email)?.link.startsWith(t.config.http.publicUrl));

  const newPassword = 'reset to this one';
  secretsSeen.push(newPassword);
  const bad = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/password-reset/confirm',
    payload: { token: 'x'.repeat(43), newPassword },
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(json<ErrorReply>(bad).error.code, 'invalid_token');

  const ok = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/password-reset/confirm',
    payload: { token: resetToken, newPassword },
  });
  assert.equal(ok.statusCode, 204);
  const reused = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/password-reset/confirm',
    payload: { token: resetToken, newPassword: 'and another one' },
  });
  assert.equal(reused.statusCode, 400, 'the token works once');
  const me = await t.inject({
    method: 'GET',
    url: '/api/v1/auth/me',
    headers: { cookie: `owaba_session=${oldSession}` },
  });
  assert.equal(me.statusCode, 401, 'a reset ends every session');
  assert.equal((await logIn(email, newPassword)).statusCode, 200);
});

test('an expired reset token is refused', async () => {
  const { email } = await signUp();
  await t.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email } });
  const token = mailer.tokenFor('password_reset', email);
  secretsSeen.push(token);
  await t.platform.db.execute(sql`update password_resets set expires_at = now() - interval '1 minute'`);
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/password-reset/confirm',
    payload: { token, newPassword: 'too late for this' },
  });
  assert.equal(res.statusCode, 400);
});

test('no response or audit row carries a password hash, token or session id', async () => {
  const { body } = await signUp();
  const rows = await t.platform.db.select().from(auditLog).where(eq(auditLog.actorId, body.user.id));
  const text = JSON.stringify(rows);
  const [session] = await t.platform.db.select().from(sessions).where(eq(sessions.userId, body.user.id));
  assert.ok(!text.includes('scrypt$'));
  assert.ok(!text.includes(session!.tokenHash));
  for (const secret of secretsSeen) assert.ok(!text.includes(secret));
});
