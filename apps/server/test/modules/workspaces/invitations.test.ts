import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import { CapturingMailer } from '../../../src/modules/identity/mailer.js';
import { createModules } from '../../../src/modules/index.js';
import { updateWorkspace } from '../../../src/modules/workspaces/workspaces.repository.js';
import { invitations, workspaceMembers } from '../../../src/modules/workspaces/workspaces.tables.js';
import { newId } from '../../../src/platform/ids.js';
import {
  type AccessFixture,
  assertRouteAccess,
  auditCount,
  createAccessFixture,
  createSignedInUser,
  uniqueEmail,
} from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';

type ErrorReply = { error: { code: string } };
type Invitation = { id: string; email: string; role: string; status: string };

/** Captures mail; an address on `bouncing` makes the mail server refuse it. */
class BouncingMailer extends CapturingMailer {
  readonly bouncing = new Set<string>();
  override async send(message: Parameters<CapturingMailer['send']>[0]): Promise<void> {
    if (this.bouncing.has(message.to)) throw new Error('550 mailbox unavailable');
    await super.send(message);
  }
}
const mailer = new BouncingMailer();
let t: TestApp;
let fx: AccessFixture;
const tokens: string[] = [];
before(async () => {
  t = await createTestApp({ modules: createModules({ mailer }) });
  fx = await createAccessFixture(t);
});
after(async () => {
  for (const token of tokens) assert.ok(!t.logs.text.includes(token), 'an invitation token reached the logs');
  await t.close();
});

const url = (ws = fx.workspaceId) => `/api/v1/workspaces/${ws}/invitations`;

async function invite(
  email: string,
  role = 'agent',
  headers = fx.members.owner.headers,
  ws = fx.workspaceId,
) {
  return t.inject({ method: 'POST', url: url(ws), headers, payload: { email, role } });
}

test('invite → email → accept makes the invitee a member with the role', async () => {
  const invitee = await createSignedInUser(t);
  const res = await invite(invitee.email!.toUpperCase(), 'agent', fx.members.manager.headers);
  assert.equal(res.statusCode, 201, res.body);
  const created = json<Invitation>(res);
  assert.equal(created.email, invitee.email);
  assert.equal(created.status, 'pending');
  const token = mailer.tokenFor('invitation', invitee.email!);
  tokens.push(token);
  assert.ok(!res.body.includes(token), 'the token travels only by email');

  const list = await t.inject({ method: 'GET', url: url(), headers: fx.members.viewer.headers });
  assert.ok(json<{ items: Invitation[] }>(list).items.some((i) => i.id === created.id));

  const accepted = await t.inject({
    method: 'POST',
    url: '/api/v1/invitations/accept',
    headers: invitee.headers,
    payload: { token },
  });
  assert.equal(accepted.statusCode, 200, accepted.body);
  assert.deepEqual(json(accepted), { workspaceId: fx.workspaceId, role: 'agent' });
  const members = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${fx.workspaceId}/members`,
    headers: invitee.headers,
  });
  assert.equal(members.statusCode, 200);

  const twice = await t.inject({
    method: 'POST',
    url: '/api/v1/invitations/accept',
    headers: invitee.headers,
    payload: { token },
  });
  assert.equal(twice.statusCode, 400);
  assert.equal(json<ErrorReply>(twice).error.code, 'invalid_token');
});

test('an invitation only works for its own email address', async () => {
  const email = uniqueEmail('invitee');
  await invite(email);
  const token = mailer.tokenFor('invitation', email);
  tokens.push(token);
  const someoneElse = await createSignedInUser(t);
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/invitations/accept',
    headers: someoneElse.headers,
    payload: { token },
  });
  assert.equal(res.statusCode, 403);
  const rows = await t.platform.db
    .select()
    .from(workspaceMembers)
    .where(
      and(eq(workspaceMembers.workspaceId, fx.workspaceId), eq(workspaceMembers.userId, someoneElse.userId)),
    );
  assert.equal(rows.length, 0);
});

test('sign-up with an invitation token joins that workspace instead of creating one', async () => {
  const email = uniqueEmail('newcomer');
  await invite(email, 'viewer');
  const token = mailer.tokenFor('invitation', email);
  tokens.push(token);
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email, password: 'newcomer password', name: 'New', invitationToken: token },
  });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(json<{ workspaceId: string }>(res).workspaceId, fx.workspaceId);

  const bad = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email: uniqueEmail(), password: 'newcomer password', name: 'New', invitationToken: token },
  });
  assert.equal(bad.statusCode, 400);
});

test('an expired invitation is refused, and the address can be invited again', async () => {
  const invitee = await createSignedInUser(t);
  await invite(invitee.email!);
  const token = mailer.tokenFor('invitation', invitee.email!);
  tokens.push(token);
  await t.platform.db
    .update(invitations)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(invitations.email, invitee.email!));
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/invitations/accept',
    headers: invitee.headers,
    payload: { token },
  });
  assert.equal(res.statusCode, 400);
  const again = await invite(invitee.email!);
  assert.equal(again.statusCode, 201);
});

test('duplicates, members and roles above the inviter are refused without side effects', async () => {
  const email = uniqueEmail('dup');
  assert.equal((await invite(email)).statusCode, 201);
  const before = await auditCount(t, fx.workspaceId);
  const dup = await invite(email);
  assert.equal(dup.statusCode, 409);
  const member = await invite(fx.members.agent.email!);
  assert.equal(member.statusCode, 409);
  const above = await invite(uniqueEmail(), 'owner', fx.members.manager.headers);
  assert.equal(above.statusCode, 403);
  const bad = await invite('not an email', 'agent');
  assert.equal(bad.statusCode, 400);
  assert.equal(await auditCount(t, fx.workspaceId), before);
});

test('the seat limit counts members and open invitations', async () => {
  const ws = fx.other.workspaceId;
  await updateWorkspace(t.platform.db, ws, { plan: 'free' });
  try {
    // Free plan: 5 seats; the Owner holds one.
    for (let i = 0; i < 4; i++) {
      const res = await invite(uniqueEmail('seat'), 'viewer', fx.other.owner.headers, ws);
      assert.equal(res.statusCode, 201);
    }
    const full = await invite(uniqueEmail('seat'), 'viewer', fx.other.owner.headers, ws);
    assert.equal(full.statusCode, 409);
    assert.equal(json<ErrorReply>(full).error.code, 'plan_limit_reached');
  } finally {
    await updateWorkspace(t.platform.db, ws, { plan: 'enterprise' });
  }
});

test('revoking an invitation makes its token useless', async () => {
  const invitee = await createSignedInUser(t);
  const created = json<Invitation>(await invite(invitee.email!));
  const token = mailer.tokenFor('invitation', invitee.email!);
  tokens.push(token);
  const revoke = await t.inject({
    method: 'DELETE',
    url: `${url()}/${created.id}`,
    headers: fx.members.owner.headers,
  });
  assert.equal(revoke.statusCode, 204);
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/invitations/accept',
    headers: invitee.headers,
    payload: { token },
  });
  assert.equal(res.statusCode, 400);
});

test('an invitation rolls back when its audit row fails (and no email goes out)', async () => {
  const email = uniqueEmail('rollback');
  await t.platform.db.execute(
    sql.raw(
      `alter table audit_log add constraint test_refuse_invite check (action <> 'invitation.created') not valid`,
    ),
  );
  try {
    assert.equal((await invite(email)).statusCode, 500);
  } finally {
    await t.platform.db.execute(sql.raw('alter table audit_log drop constraint test_refuse_invite'));
  }
  assert.equal(
    (await t.platform.db.select().from(invitations).where(eq(invitations.email, email))).length,
    0,
  );
  assert.equal(mailer.last('invitation', email), undefined);
});

test('access: GET invitations', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: '/api/v1/workspaces/:workspaceId/invitations' });
});

test('access: POST invitations', async () => {
  await assertRouteAccess(t, fx, {
    method: 'POST',
    path: '/api/v1/workspaces/:workspaceId/invitations',
    body: () => ({ email: uniqueEmail('probe'), role: 'viewer' }),
  });
});

test('access: DELETE invitation', async () => {
  await assertRouteAccess(t, fx, {
    method: 'DELETE',
    path: '/api/v1/workspaces/:workspaceId/invitations/:invitationId',
    params: async (workspaceId) => {
      const [row] = await t.platform.db
        .insert(invitations)
        .values({
          id: newId('invitation'),
          workspaceId,
          email: uniqueEmail('revoke'),
          role: 'viewer',
          tokenHash: `test-${Math.random()}`,
          expiresAt: new Date(Date.now() + 3600_000),
        })
        .returning();
      return { invitationId: row!.id };
    },
  });
});

test('an invitation whose email the mail server refuses still stands, and the failure is logged', async () => {
  const email = uniqueEmail('bounce');
  mailer.bouncing.add(email);
  const res = await invite(email);
  assert.equal(res.statusCode, 201, res.body);
  const created = json<Invitation>(res);
  assert.equal(created.status, 'pending');
  assert.match(t.logs.text, /invitation email not delivered/);
  const list = await t.inject({ method: 'GET', url: url(), headers: fx.members.owner.headers });
  assert.ok(json<{ items: Invitation[] }>(list).items.some((i) => i.id === created.id));
});
