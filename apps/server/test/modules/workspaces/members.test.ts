import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { workspaceMembers } from '../../../src/modules/workspaces/workspaces.tables.js';
import {
  type AccessFixture,
  addMember,
  assertRouteAccess,
  auditCount,
  createAccessFixture,
  createSignedInUser,
} from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';

type ErrorReply = { error: { code: string } };

let t: TestApp;
let fx: AccessFixture;
before(async () => {
  t = await createTestApp();
  fx = await createAccessFixture(t);
});
after(async () => {
  await t.close();
});

const members = () => `/api/v1/workspaces/${fx.workspaceId}/members`;

async function freshMember(workspaceId: string, role: 'agent' | 'viewer' | 'manager' | 'owner' = 'agent') {
  const user = await createSignedInUser(t);
  return { ...user, memberId: await addMember(t, workspaceId, user.userId, role) };
}

async function roleOf(memberId: string) {
  const [row] = await t.platform.db.select().from(workspaceMembers).where(eq(workspaceMembers.id, memberId));
  return row?.role;
}

test('GET members lists everyone with name, email and role', async () => {
  const res = await t.inject({ method: 'GET', url: members(), headers: fx.members.viewer.headers });
  assert.equal(res.statusCode, 200);
  const items = json<{ items: { id: string; role: string; email: string }[] }>(res).items;
  assert.deepEqual(items.map((m) => m.role).sort(), ['agent', 'manager', 'owner', 'viewer']);
  assert.ok(items.every((m) => m.email.includes('@')));
  assert.ok(!res.body.includes('scrypt'));
});

test('PATCH member changes the role and audits it in the same transaction', async () => {
  const m = await freshMember(fx.workspaceId, 'agent');
  const res = await t.inject({
    method: 'PATCH',
    url: `${members()}/${m.memberId}`,
    headers: fx.members.manager.headers,
    payload: { role: 'viewer' },
  });
  assert.equal(res.statusCode, 200);
  assert.equal(await roleOf(m.memberId), 'viewer');
  const [row] = await t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.resourceId, m.memberId), eq(auditLog.action, 'member.role_changed')));
  assert.equal(row?.before?.role, 'agent');
  assert.equal(row?.after?.role, 'viewer');
  assert.equal(row?.workspaceId, fx.workspaceId);
});

test('a role change rolls back when its audit row fails', async () => {
  const m = await freshMember(fx.workspaceId, 'agent');
  await t.platform.db.execute(
    sql.raw(
      `alter table audit_log add constraint test_refuse_role_change check (action <> 'member.role_changed') not valid`,
    ),
  );
  try {
    const res = await t.inject({
      method: 'PATCH',
      url: `${members()}/${m.memberId}`,
      headers: fx.members.owner.headers,
      payload: { role: 'manager' },
    });
    assert.equal(res.statusCode, 500);
  } finally {
    await t.platform.db.execute(sql.raw('alter table audit_log drop constraint test_refuse_role_change'));
  }
  assert.equal(await roleOf(m.memberId), 'agent', 'the change rolled back with its audit row');
});

test('bad input answers 400 and changes nothing', async () => {
  const m = await freshMember(fx.workspaceId, 'agent');
  const res = await t.inject({
    method: 'PATCH',
    url: `${members()}/${m.memberId}`,
    headers: fx.members.owner.headers,
    payload: { role: 'admin' },
  });
  assert.equal(res.statusCode, 400);
  assert.equal(await roleOf(m.memberId), 'agent');
});

test('a Manager can neither promote to Owner nor touch an Owner', async () => {
  const m = await freshMember(fx.workspaceId, 'agent');
  const before = await auditCount(t, fx.workspaceId);
  const promote = await t.inject({
    method: 'PATCH',
    url: `${members()}/${m.memberId}`,
    headers: fx.members.manager.headers,
    payload: { role: 'owner' },
  });
  assert.equal(promote.statusCode, 403);
  const demote = await t.inject({
    method: 'PATCH',
    url: `${members()}/${fx.members.owner.memberId}`,
    headers: fx.members.manager.headers,
    payload: { role: 'viewer' },
  });
  assert.equal(demote.statusCode, 403);
  const remove = await t.inject({
    method: 'DELETE',
    url: `${members()}/${fx.members.owner.memberId}`,
    headers: fx.members.manager.headers,
  });
  assert.equal(remove.statusCode, 403);
  assert.equal(await auditCount(t, fx.workspaceId), before);
  assert.equal(await roleOf(fx.members.owner.memberId), 'owner');
});

test('the last Owner can be neither demoted nor removed; with two Owners one can go', async () => {
  const demote = await t.inject({
    method: 'PATCH',
    url: `${members()}/${fx.members.owner.memberId}`,
    headers: fx.members.owner.headers,
    payload: { role: 'manager' },
  });
  assert.equal(demote.statusCode, 409);
  assert.equal(json<ErrorReply>(demote).error.code, 'last_owner');
  const remove = await t.inject({
    method: 'DELETE',
    url: `${members()}/${fx.members.owner.memberId}`,
    headers: fx.members.owner.headers,
  });
  assert.equal(remove.statusCode, 409);

  const second = await freshMember(fx.workspaceId, 'owner');
  const ok = await t.inject({
    method: 'PATCH',
    url: `${members()}/${second.memberId}`,
    headers: fx.members.owner.headers,
    payload: { role: 'manager' },
  });
  assert.equal(ok.statusCode, 200);
});

test('two Owners demoting each other at once leave one Owner', async () => {
  const ws = fx.other.workspaceId;
  const [first] = await t.platform.db
    .select()
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.workspaceId, ws), eq(workspaceMembers.userId, fx.other.owner.userId)));
  const second = await freshMember(ws, 'owner');
  const demote = (caller: { headers: Record<string, string> }, memberId: string) =>
    t.inject({
      method: 'PATCH',
      url: `/api/v1/workspaces/${ws}/members/${memberId}`,
      headers: caller.headers,
      payload: { role: 'manager' },
    });
  const replies = await Promise.all([demote(fx.other.owner, second.memberId), demote(second, first!.id)]);
  const statuses = replies.map((r) => r.statusCode).sort();
  const owners = await t.platform.db
    .select()
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.workspaceId, ws), eq(workspaceMembers.role, 'owner')));
  assert.equal(owners.length, 1, `statuses ${statuses.join(',')}`);
  // The loser either lost the last-Owner check (409) or, demoted first, lost the right to act (403).
  assert.equal(statuses[0], 200);
  assert.ok([403, 409].includes(statuses[1]!));
});

test('DELETE member removes them: their session no longer opens the workspace', async () => {
  const m = await freshMember(fx.workspaceId, 'viewer');
  const res = await t.inject({
    method: 'DELETE',
    url: `${members()}/${m.memberId}`,
    headers: fx.members.owner.headers,
  });
  assert.equal(res.statusCode, 204);
  const denied = await t.inject({ method: 'GET', url: members(), headers: m.headers });
  assert.equal(denied.statusCode, 404);
  const again = await t.inject({
    method: 'DELETE',
    url: `${members()}/${m.memberId}`,
    headers: fx.members.owner.headers,
  });
  assert.equal(again.statusCode, 404);
});

test('removing a member revokes the API keys they created here, audited; other keys keep working', async () => {
  const m = await freshMember(fx.workspaceId, 'manager');
  const createKey = async (headers: Record<string, string>) => {
    const res = await t.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${fx.workspaceId}/api-keys`,
      headers,
      payload: { name: 'leaver key', role: 'viewer' },
    });
    assert.equal(res.statusCode, 201, res.body);
    return json<{ key: string; apiKey: { id: string } }>(res);
  };
  const theirs = await createKey(m.headers);
  const ownersKey = await createKey(fx.members.owner.headers);
  const readWith = (key: string) =>
    t.inject({ method: 'GET', url: members(), headers: { authorization: `Bearer ${key}` } });
  assert.equal((await readWith(theirs.key)).statusCode, 200);

  const res = await t.inject({
    method: 'DELETE',
    url: `${members()}/${m.memberId}`,
    headers: fx.members.owner.headers,
  });
  assert.equal(res.statusCode, 204);
  assert.equal((await readWith(theirs.key)).statusCode, 401);
  assert.equal((await readWith(ownersKey.key)).statusCode, 200);
  const [revoked] = await t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.resourceId, theirs.apiKey.id), eq(auditLog.action, 'api_key.revoked')));
  assert.equal(revoked?.actorId, fx.members.owner.userId);
  assert.equal(revoked?.workspaceId, fx.workspaceId);
});

test('access: GET members', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: '/api/v1/workspaces/:workspaceId/members' });
});

test('access: PATCH member', async () => {
  await assertRouteAccess(t, fx, {
    method: 'PATCH',
    path: '/api/v1/workspaces/:workspaceId/members/:memberId',
    params: async (workspaceId) => ({ memberId: (await freshMember(workspaceId, 'viewer')).memberId }),
    body: () => ({ role: 'agent' }),
  });
});

test('access: DELETE member', async () => {
  await assertRouteAccess(t, fx, {
    method: 'DELETE',
    path: '/api/v1/workspaces/:workspaceId/members/:memberId',
    params: async (workspaceId) => ({ memberId: (await freshMember(workspaceId, 'viewer')).memberId }),
  });
});
