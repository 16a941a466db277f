import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { updateWorkspace } from '../../../src/modules/workspaces/workspaces.repository.js';
import { type AccessFixture, assertRouteAccess, createAccessFixture } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';

type Entry = { id: string; action: string; actorId: string | null; resourceType: string; occurredAt: string };
type Page = { items: Entry[]; nextCursor: string | null };
type ErrorReply = { error: { code: string } };

let t: TestApp;
let fx: AccessFixture;
before(async () => {
  t = await createTestApp();
  fx = await createAccessFixture(t);
  // Some history: renames by two people, an invitation.
  for (const [who, name] of [
    ['owner', 'One'],
    ['manager', 'Two'],
    ['owner', 'Three'],
  ] as const) {
    await t.inject({
      method: 'PATCH',
      url: `/api/v1/workspaces/${fx.workspaceId}`,
      headers: fx.members[who].headers,
      payload: { name },
    });
  }
  await t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${fx.workspaceId}/invitations`,
    headers: fx.members.owner.headers,
    payload: { email: 'audited@example.test', role: 'viewer' },
  });
});
after(async () => {
  await t.close();
});

const list = (query: string, headers = fx.members.owner.headers) =>
  t.inject({ method: 'GET', url: `/api/v1/workspaces/${fx.workspaceId}/audit-log?${query}`, headers });

test('the trail lists newest first with who, what, where from', async () => {
  const res = await list('limit=10', fx.members.manager.headers);
  assert.equal(res.statusCode, 200);
  const page = json<Page & { items: (Entry & { ip: string; requestId: string })[] }>(res);
  assert.equal(page.items[0]?.action, 'invitation.created');
  const ids = page.items.map((i) => i.id);
  assert.deepEqual(ids, [...ids].sort().reverse());
  assert.ok(page.items[0]?.ip && page.items[0]?.requestId);
});

test('filters: actor, exact action, action prefix, resource and time range', async () => {
  const byManager = json<Page>(await list(`actorId=${fx.members.manager.userId}`)).items;
  assert.deepEqual(
    byManager.map((i) => i.action),
    ['workspace.updated'],
  );

  const renames = json<Page>(await list('action=workspace.updated')).items;
  assert.equal(renames.length, 3);
  const invites = json<Page>(await list('action=invitation.*')).items;
  assert.ok(invites.length >= 1 && invites.every((i) => i.action.startsWith('invitation.')));
  const resource = json<Page>(await list(`resourceType=workspace&resourceId=${fx.workspaceId}`)).items;
  assert.ok(resource.every((i) => i.resourceType === 'workspace'));

  const future = new Date(Date.now() + 3600_000).toISOString();
  assert.equal(json<Page>(await list(`from=${encodeURIComponent(future)}`)).items.length, 0);
  assert.ok(json<Page>(await list(`to=${encodeURIComponent(future)}`)).items.length >= 4);
});

test('cursor paging walks every row exactly once', async () => {
  const all = json<Page>(await list('limit=200')).items.map((i) => i.id);
  const walked: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Page = json<Page>(await list(`limit=2${cursor ? `&cursor=${cursor}` : ''}`));
    walked.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor;
  } while (cursor);
  assert.deepEqual(walked, all);
});

test('bad filters or cursor answer 400', async () => {
  for (const query of [
    'limit=0',
    'limit=abc',
    'from=yesterday',
    'cursor=%27%20or%201=1',
    'action=DROP%20TABLE',
  ]) {
    const res = await list(query);
    assert.equal(res.statusCode, 400, query);
    assert.ok(['validation_failed', 'bad_request'].includes(json<ErrorReply>(res).error.code));
  }
});

test('the trail is append-only: no route changes it and the database refuses updates', async () => {
  for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
    const res = await t.inject({
      method,
      url: `/api/v1/workspaces/${fx.workspaceId}/audit-log`,
      headers: fx.members.owner.headers,
    });
    assert.ok([404, 405].includes(res.statusCode), `${method} answered ${res.statusCode}`);
  }
  await assert.rejects(
    t.platform.db
      .update(auditLog)
      .set({ action: 'tampered' })
      .where(eq(auditLog.workspaceId, fx.workspaceId)),
  );
  const tampered = await t.platform.db.select().from(auditLog).where(eq(auditLog.action, 'tampered'));
  assert.equal(tampered.length, 0);
});

test('CSV export streams the filtered range, neutralises formulas, and is itself audited', async () => {
  const res = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${fx.workspaceId}/audit-log/export?action=workspace.updated`,
    headers: { ...fx.members.owner.headers, 'user-agent': '=HYPERLINK("http://evil")' },
  });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/csv/);
  assert.match(String(res.headers['content-disposition']), /attachment/);
  const lines = res.body.trim().split('\n');
  assert.match(lines[0]!, /^id,occurred_at,actor_type,actor_id,actor_label,action,/);
  assert.equal(lines.length, 4);
  const exported = await t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, fx.workspaceId), eq(auditLog.action, 'audit.exported')));
  assert.equal(exported.length, 1);
  assert.equal(exported[0]?.userAgent, '=HYPERLINK("http://evil")');

  const again = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${fx.workspaceId}/audit-log/export?action=audit.exported`,
    headers: fx.members.owner.headers,
  });
  assert.ok(again.body.includes(`'=HYPERLINK`), 'a formula-like cell is prefixed with a quote');
});

test('CSV export neutralises a formula-like IP cell too', async () => {
  await t.platform.db.insert(auditLog).values({
    id: `aud_ipformula_${Date.now()}`,
    workspaceId: fx.workspaceId,
    occurredAt: new Date(),
    actorType: 'system',
    action: 'test.ip_formula',
    resourceType: 'workspace',
    ip: '=1+2',
    userAgent: '=cmd',
  });
  const res = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${fx.workspaceId}/audit-log/export?action=test.ip_formula`,
    headers: fx.members.owner.headers,
  });
  assert.equal(res.statusCode, 200);
  const row = res.body.trim().split('\n')[1] ?? '';
  assert.ok(row.includes(`,'=1+2,`), row);
  assert.ok(row.includes(`,'=cmd,`), row);
  assert.ok(!/,=/.test(row), 'no cell starts with =');
});

test('retention: the daily job removes rows past each plan’s days, account events after 90', async () => {
  const day = 86_400_000;
  const now = Date.now();
  const old = (ws: string | null, daysAgo: number, id: string) => ({
    id,
    workspaceId: ws,
    occurredAt: new Date(now - daysAgo * day),
    actorType: 'system' as const,
    action: 'test.old',
    resourceType: 'test',
  });
  await updateWorkspace(t.platform.db, fx.other.workspaceId, { plan: 'free' });
  await t.platform.db
    .insert(auditLog)
    .values([
      old(fx.other.workspaceId, 100, 'aud_0000000000retention0001'),
      old(fx.other.workspaceId, 80, 'aud_0000000000retention0002'),
      old(fx.workspaceId, 100, 'aud_0000000000retention0003'),
      old(fx.workspaceId, 400, 'aud_0000000000retention0004'),
      old(null, 100, 'aud_0000000000retention0005'),
    ]);
  const { purgeAuditJob } = await import('../../../src/modules/audit/audit.jobs.js');
  await t.platform.jobs.enqueue(purgeAuditJob, {});
  await t.platform.jobs.idle(20_000);
  const left = (await t.platform.db.select().from(auditLog).where(eq(auditLog.action, 'test.old')))
    .map((r) => r.id)
    .sort();
  // free: 90 days; the fixture workspace is enterprise: 365 days.
  assert.deepEqual(left, ['aud_0000000000retention0002', 'aud_0000000000retention0003']);
  await updateWorkspace(t.platform.db, fx.other.workspaceId, { plan: 'enterprise' });
});

test('100,000 rows stream out as CSV', async () => {
  const ws = fx.other.workspaceId;
  await t.platform.db.execute(sql`
    insert into audit_log (id, workspace_id, occurred_at, actor_type, action, resource_type, resource_id)
    select 'aud_1' || lpad(to_hex(g), 25, '0'), ${ws}, now(), 'system', 'bulk.row', 'test', 'r' || g
    from generate_series(1, 100000) g`);
  const res = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${ws}/audit-log/export?action=bulk.row`,
    headers: fx.other.owner.headers,
  });
  assert.equal(res.statusCode, 200);
  let lines = 0;
  for (let i = res.body.indexOf('\n'); i !== -1; i = res.body.indexOf('\n', i + 1)) lines += 1;
  assert.equal(lines, 100_001);
});

test('access: GET audit-log', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: '/api/v1/workspaces/:workspaceId/audit-log' });
});

test('access: GET audit-log/export', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: '/api/v1/workspaces/:workspaceId/audit-log/export' });
});
