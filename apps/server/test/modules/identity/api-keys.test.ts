import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { apiKeys } from '../../../src/modules/identity/identity.tables.js';
import { updateWorkspace } from '../../../src/modules/workspaces/workspaces.repository.js';
import {
  type AccessFixture,
  assertRouteAccess,
  auditCount,
  createAccessFixture,
  createKey,
} from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';

type ErrorReply = { error: { code: string } };
type Created = { apiKey: { id: string; prefix: string; role: string; name: string }; key: string };

let t: TestApp;
let fx: AccessFixture;
const keysSeen: string[] = [];
before(async () => {
  t = await createTestApp();
  fx = await createAccessFixture(t);
});
after(async () => {
  for (const key of keysSeen) assert.ok(!t.logs.text.includes(key), 'an API key reached the logs');
  await t.close();
});

const base = () => `/api/v1/workspaces/${fx.workspaceId}/api-keys`;

async function create(role = 'viewer', headers = fx.members.owner.headers) {
  const res = await t.inject({ method: 'POST', url: base(), headers, payload: { name: 'CRM sync', role } });
  return res;
}

test('creating a key shows it once, stores only its hash, and audits it without the secret', async () => {
  const res = await create('agent');
  assert.equal(res.statusCode, 201, res.body);
  const body = json<Created>(res);
  keysSeen.push(body.key);
  assert.match(body.key, /^owk_[\w-]{43}$/);
  assert.equal(body.apiKey.prefix, body.key.slice(0, 12));
  const [row] = await t.platform.db.select().from(apiKeys).where(eq(apiKeys.id, body.apiKey.id));
  assert.ok(row && row.keyHash !== body.key && !row.keyHash.includes(body.key.slice(4)));

  const list = await t.inject({ method: 'GET', url: base(), headers: fx.members.owner.headers });
  assert.equal(list.statusCode, 200);
  assert.ok(!list.body.includes(body.key), 'the list never shows the secret');
  assert.ok(json<{ items: { id: string }[] }>(list).items.some((k) => k.id === body.apiKey.id));

  const [audit] = await t.platform.db.select().from(auditLog).where(eq(auditLog.resourceId, body.apiKey.id));
  assert.equal(audit?.action, 'api_key.created');
  assert.equal(audit?.actorId, fx.members.owner.userId);
  assert.ok(!JSON.stringify(audit).includes(body.key));
});

test('a key authenticates as Bearer with its role, records last use, and stops at revocation', async () => {
  const body = json<Created>(await create('manager'));
  keysSeen.push(body.key);
  const headers = { authorization: `Bearer ${body.key}` };
  const members = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${fx.workspaceId}/members`,
    headers,
  });
  assert.equal(members.statusCode, 200);
  const [row] = await t.platform.db.select().from(apiKeys).where(eq(apiKeys.id, body.apiKey.id));
  assert.ok(row?.lastUsedAt);

  // API-key writes need no CSRF header; the audit row names the key.
  const write = await t.inject({
    method: 'PATCH',
    url: `/api/v1/workspaces/${fx.workspaceId}`,
    headers,
    payload: { name: 'Renamed by key' },
  });
  assert.equal(write.statusCode, 200);
  const [audit] = await t.platform.db.select().from(auditLog).where(eq(auditLog.actorId, body.apiKey.id));
  assert.equal(audit?.actorType, 'api_key');

  const revoke = await t.inject({
    method: 'DELETE',
    url: `${base()}/${body.apiKey.id}`,
    headers: fx.members.owner.headers,
  });
  assert.equal(revoke.statusCode, 204);
  const after = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${fx.workspaceId}/members`,
    headers,
  });
  assert.equal(after.statusCode, 401);
  const again = await t.inject({
    method: 'DELETE',
    url: `${base()}/${body.apiKey.id}`,
    headers: fx.members.owner.headers,
  });
  assert.equal(again.statusCode, 404);
});

test('a key is bound to its workspace: another workspace in the URL answers 404', async () => {
  const res = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${fx.other.workspaceId}/members`,
    headers: fx.keys.owner.headers,
  });
  assert.equal(res.statusCode, 404);
});

test('nobody creates a key with a role above their own', async () => {
  const before = await auditCount(t, fx.workspaceId);
  const res = await create('owner', fx.members.manager.headers);
  assert.equal(res.statusCode, 403);
  assert.equal(await auditCount(t, fx.workspaceId), before);
});

test('bad input answers 400 and creates nothing', async () => {
  const before = (await t.platform.db.select().from(apiKeys).where(eq(apiKeys.workspaceId, fx.workspaceId)))
    .length;
  const res = await t.inject({
    method: 'POST',
    url: base(),
    headers: fx.members.owner.headers,
    payload: { name: '', role: 'superuser' },
  });
  assert.equal(res.statusCode, 400);
  assert.equal(json<ErrorReply>(res).error.code, 'validation_failed');
  const after = (await t.platform.db.select().from(apiKeys).where(eq(apiKeys.workspaceId, fx.workspaceId)))
    .length;
  assert.equal(after, before);
});

test("the plan's key limit answers 409", async () => {
  await updateWorkspace(t.platform.db, fx.other.workspaceId, { plan: 'free' });
  // The fixture's other workspace has one key; the free plan allows two.
  await createKey(t, fx.other.workspaceId, 'viewer');
  const res = await t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${fx.other.workspaceId}/api-keys`,
    headers: fx.other.owner.headers,
    payload: { name: 'one too many', role: 'viewer' },
  });
  assert.equal(res.statusCode, 409);
  assert.equal(json<ErrorReply>(res).error.code, 'plan_limit_reached');
  await updateWorkspace(t.platform.db, fx.other.workspaceId, { plan: 'enterprise' });
});

test('access: GET api-keys', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: '/api/v1/workspaces/:workspaceId/api-keys' });
});

test('access: POST api-keys', async () => {
  await assertRouteAccess(t, fx, {
    method: 'POST',
    path: '/api/v1/workspaces/:workspaceId/api-keys',
    body: () => ({ name: 'probe', role: 'viewer' }),
  });
});

test('access: DELETE api-keys/:apiKeyId', async () => {
  await assertRouteAccess(t, fx, {
    method: 'DELETE',
    path: '/api/v1/workspaces/:workspaceId/api-keys/:apiKeyId',
    params: async (workspaceId) => ({ apiKeyId: (await createKey(t, workspaceId, 'viewer')).id }),
  });
});
