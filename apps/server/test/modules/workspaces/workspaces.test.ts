import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { permissionsOf } from '../../../src/modules/workspaces/permissions.js';
import { workspaces } from '../../../src/modules/workspaces/workspaces.tables.js';
import {
  type AccessFixture,
  assertRouteAccess,
  createAccessFixture,
  createSignedInUser,
} from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';

type ErrorReply = { error: { code: string } };
type Workspace = { id: string; name: string; plan: string; limits: Record<string, number | null> };

const OPERATOR_TOKEN = 'op-token-workspaces-0123456789';
const operatorHeaders = { authorization: `Bearer ${OPERATOR_TOKEN}` };
const planUrl = () => `/api/v1/operator/workspaces/${fx.workspaceId}/plan`;

let t: TestApp;
let fx: AccessFixture;
before(async () => {
  t = await createTestApp({ env: { OPERATOR_TOKEN } });
  fx = await createAccessFixture(t);
});
after(async () => {
  await t.close();
});

const url = () => `/api/v1/workspaces/${fx.workspaceId}`;

test('GET /api/v1/workspaces lists only my workspaces, with my role', async () => {
  const res = await t.inject({ method: 'GET', url: '/api/v1/workspaces', headers: fx.members.agent.headers });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(
    json<{ items: { id: string; role: string }[] }>(res).items.map((w) => [w.id, w.role]),
    [[fx.workspaceId, 'agent']],
  );
  const key = await t.inject({ method: 'GET', url: '/api/v1/workspaces', headers: fx.keys.owner.headers });
  assert.equal(key.statusCode, 403, 'account routes are for people, not API keys');
});

test('POST /api/v1/workspaces creates one with me as Owner; bad input changes nothing', async () => {
  const user = await createSignedInUser(t);
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/workspaces',
    headers: user.headers,
    payload: { name: 'Second shop' },
  });
  assert.equal(res.statusCode, 201);
  const created = json<Workspace>(res);
  assert.equal(created.plan, 'free');
  const mine = await t.inject({ method: 'GET', url: '/api/v1/workspaces', headers: user.headers });
  assert.equal(json<{ items: { role: string }[] }>(mine).items[0]?.role, 'owner');

  const count = (await t.platform.db.select().from(workspaces)).length;
  const bad = await t.inject({
    method: 'POST',
    url: '/api/v1/workspaces',
    headers: user.headers,
    payload: { name: '' },
  });
  assert.equal(bad.statusCode, 400);
  assert.equal((await t.platform.db.select().from(workspaces)).length, count);
});

test('GET workspace returns plan limits and my permissions', async () => {
  const res = await t.inject({ method: 'GET', url: url(), headers: fx.members.viewer.headers });
  assert.equal(res.statusCode, 200);
  const body = json<Workspace & { role: string; permissions: string[] }>(res);
  assert.equal(body.role, 'viewer');
  assert.deepEqual(body.permissions.sort(), permissionsOf('viewer').sort());
  assert.equal(body.limits.auditRetentionDays, 365);
});

test('PATCH workspace renames it and audits before/after', async () => {
  const res = await t.inject({
    method: 'PATCH',
    url: url(),
    headers: fx.members.manager.headers,
    payload: { name: 'Acme Support' },
  });
  assert.equal(res.statusCode, 200);
  assert.equal(json<Workspace>(res).name, 'Acme Support');
  const rows = await t.platform.db.select().from(auditLog).where(eq(auditLog.action, 'workspace.updated'));
  const row = rows.find((r) => r.workspaceId === fx.workspaceId && r.after?.name === 'Acme Support');
  assert.ok(row);
  assert.equal(row.actorId, fx.members.manager.userId);
  assert.ok(row.before?.name);

  const bad = await t.inject({
    method: 'PATCH',
    url: url(),
    headers: fx.members.owner.headers,
    payload: { name: 42 },
  });
  assert.equal(bad.statusCode, 400);
});

test('the operator changes the plan; only enterprise takes custom limits, audited', async () => {
  const pro = await t.inject({
    method: 'PUT',
    url: planUrl(),
    headers: operatorHeaders,
    payload: { plan: 'pro' },
  });
  assert.equal(pro.statusCode, 200, pro.body);
  assert.equal(json<Workspace>(pro).limits.messagesPerMinute, 1000);

  const refused = await t.inject({
    method: 'PUT',
    url: planUrl(),
    headers: operatorHeaders,
    payload: { plan: 'pro', limits: { messagesPerMinute: 5000 } },
  });
  assert.equal(refused.statusCode, 400);

  const ent = await t.inject({
    method: 'PUT',
    url: planUrl(),
    headers: operatorHeaders,
    payload: { plan: 'enterprise', limits: { messagesPerMinute: 5000, auditRetentionDays: 400 } },
  });
  assert.equal(ent.statusCode, 200);
  const body = json<Workspace>(ent);
  assert.equal(body.limits.messagesPerMinute, 5000);
  assert.equal(body.limits.auditRetentionDays, 400);
  assert.equal(body.limits.seats, null);
  const changes = await t.platform.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.action, 'workspace.plan_changed'));
  assert.equal(changes.length, 2);
  assert.ok(
    changes.every((r) => r.actorType === 'system' && r.actorLabel === 'operator'),
    JSON.stringify(changes[0]),
  );

  const missing = await t.inject({
    method: 'PUT',
    url: '/api/v1/operator/workspaces/ws_00000000000000000000000000/plan',
    headers: operatorHeaders,
    payload: { plan: 'pro' },
  });
  assert.equal(missing.statusCode, 404);
});

test('limit overrides are bounded: no 1-day audit retention, no absurd rates, no unknown keys', async () => {
  for (const limits of [
    { auditRetentionDays: 1 },
    { auditRetentionDays: 29 },
    { messagesPerMinute: 1_000_000_000 },
    { seats: 0 },
    { anything: 1 },
  ]) {
    const res = await t.inject({
      method: 'PUT',
      url: planUrl(),
      headers: operatorHeaders,
      payload: { plan: 'enterprise', limits },
    });
    assert.equal(res.statusCode, 400, JSON.stringify(limits));
  }
});

test('workspace members cannot change the plan: the Owner has no route, the operator route wants its token', async () => {
  const ownRoute = await t.inject({
    method: 'PUT',
    url: `${url()}/plan`,
    headers: fx.members.owner.headers,
    payload: { plan: 'enterprise', limits: { auditRetentionDays: 30 } },
  });
  assert.equal(ownRoute.statusCode, 404);
  const asOwner = await t.inject({
    method: 'PUT',
    url: planUrl(),
    headers: fx.members.owner.headers,
    payload: { plan: 'enterprise' },
  });
  assert.equal(asOwner.statusCode, 401);
  const [row] = await t.platform.db.select().from(workspaces).where(eq(workspaces.id, fx.workspaceId));
  assert.equal(row?.limitOverrides?.auditRetentionDays, 400, 'unchanged');
});

test('GET /api/v1/permissions serves the catalogue', async () => {
  const res = await t.inject({ method: 'GET', url: '/api/v1/permissions' });
  assert.equal(res.statusCode, 200);
  const body = json<{ roles: string[]; permissions: { key: string }[] }>(res);
  assert.deepEqual(body.roles, ['owner', 'manager', 'agent', 'viewer']);
  assert.ok(body.permissions.length >= 30);
});

test('a malformed or unknown workspace id answers 404, not 500', async () => {
  for (const id of ['nope', 'ws_00000000000000000000000000', "x' or 1=1 --"]) {
    const res = await t.inject({
      method: 'GET',
      url: `/api/v1/workspaces/${encodeURIComponent(id)}`,
      headers: fx.members.owner.headers,
    });
    assert.equal(res.statusCode, 404, id);
    assert.equal(json<ErrorReply>(res).error.code, 'not_found');
  }
});

test('access: GET workspace', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: '/api/v1/workspaces/:workspaceId' });
});

test('access: PATCH workspace', async () => {
  await assertRouteAccess(t, fx, {
    method: 'PATCH',
    path: '/api/v1/workspaces/:workspaceId',
    body: () => ({ name: 'Renamed' }),
  });
});

test('OpenAPI documents every route of these modules, with the session and bearer schemes', async () => {
  const res = await t.inject({ method: 'GET', url: '/api/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = json<{ paths: Record<string, unknown> }>(res);
  for (const path of [
    '/api/v1/auth/signup',
    '/api/v1/auth/login',
    '/api/v1/workspaces/{workspaceId}/members/{memberId}',
    '/api/v1/workspaces/{workspaceId}/api-keys',
    '/api/v1/workspaces/{workspaceId}/audit-log/export',
  ]) {
    assert.ok(doc.paths[path], path);
  }
});
