import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { webhookEvents } from '../../../src/modules/webhooks/webhooks.tables.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';

const OPERATOR_TOKEN = 'op-token-0123456789abcdef';
let t: TestApp;
let disabled: TestApp;

before(async () => {
  t = await createTestApp({ env: { OPERATOR_TOKEN } });
  disabled = await createTestApp({});
  await t.platform.db.insert(webhookEvents).values({
    id: 'whe_dead1',
    body: '{"object":"whatsapp_business_account","entry":[{"changes":"nope"}]}',
    contentHash: 'dead-1',
    status: 'dead',
    attempts: 1,
    lastError: 'entry[0].changes: expected array',
    receivedAt: new Date('2026-11-01T10:00:00Z'),
  });
});
after(async () => {
  await t.close();
  await disabled.close();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

test('operator routes need the operator token', async () => {
  for (const headers of [{}, auth('wrong-token-0123456789ab'), auth('owk_notanoperator')]) {
    const res = await t.inject({ method: 'GET', url: '/api/v1/operator/webhooks/dead-letters', headers });
    assert.equal(res.statusCode, 401);
  }
  const off = await disabled.inject({
    method: 'GET',
    url: '/api/v1/operator/webhooks/dead-letters',
    headers: auth(OPERATOR_TOKEN),
  });
  assert.equal(off.statusCode, 403, 'without OPERATOR_TOKEN the operator API is disabled');
  assert.ok(!t.logs.text.includes(OPERATOR_TOKEN), 'the token is never logged');
});

test('the dead-letter list shows failed events with their errors', async () => {
  const res = await t.inject({
    method: 'GET',
    url: '/api/v1/operator/webhooks/dead-letters',
    headers: auth(OPERATOR_TOKEN),
  });
  assert.equal(res.statusCode, 200);
  const body = json<{ data: { id: string; lastError: string }[] }>(res);
  assert.deepEqual(
    body.data.map((row) => row.id),
    ['whe_dead1'],
  );
  assert.match(body.data[0]!.lastError, /changes/);
});

test('replay takes a valid range and re-dispatches the events in it', async () => {
  const bad = await t.inject({
    method: 'POST',
    url: '/api/v1/operator/webhooks/replay',
    headers: auth(OPERATOR_TOKEN),
    payload: { from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' },
  });
  assert.equal(bad.statusCode, 400);
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/operator/webhooks/replay',
    headers: auth(OPERATOR_TOKEN),
    payload: { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', deadOnly: true },
  });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(json(res), { replayed: 1 });
  const audited = await t.platform.db.select().from(auditLog).where(eq(auditLog.action, 'webhook.replayed'));
  assert.equal(audited.length, 1, 'the replay is in the audit trail; the refused range is not');
  const [row] = audited;
  assert.equal(row?.workspaceId, null, 'installation-wide');
  assert.equal(row?.actorType, 'system');
  assert.equal(row?.actorLabel, 'operator');
  assert.equal(row?.requestId, res.headers['x-request-id']);
  assert.ok(row?.ip);
  assert.deepEqual(row?.after, {
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-11-02T00:00:00.000Z',
    deadOnly: true,
    events: 1,
  });
  assert.ok(!JSON.stringify(row).includes(OPERATOR_TOKEN), 'never the token');
  await t.platform.jobs.idle();
  const again = await t.inject({
    method: 'GET',
    url: '/api/v1/operator/webhooks/dead-letters',
    headers: auth(OPERATOR_TOKEN),
  });
  assert.equal(
    json<{ data: unknown[] }>(again).data.length,
    1,
    'a malformed event goes back to the dead-letter list',
  );
});
