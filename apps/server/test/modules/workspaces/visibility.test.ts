import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { type Role, roleHas } from '../../../src/modules/workspaces/permissions.js';
import type { Principal } from '../../../src/platform/http/auth.js';
import { visibleTo } from '../../../src/platform/http/tenant.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

// A stand-in for the conversations table, made for this test only: what visibleTo() will guard.
const tickets = pgTable('test_tickets', {
  id: text('id').primaryKey(),
  workspaceId: text('workspace_id').notNull(),
  assigneeUserId: text('assignee_user_id'),
});

let t: TestApp;
before(async () => {
  t = await createTestApp({ modules: [] });
  await t.platform.db.execute(
    sql`create table test_tickets (id text primary key, workspace_id text not null, assignee_user_id text)`,
  );
  await t.platform.db.insert(tickets).values([
    { id: 't1', workspaceId: 'ws_a', assigneeUserId: 'usr_agent' },
    { id: 't2', workspaceId: 'ws_a', assigneeUserId: 'usr_other' },
    { id: 't3', workspaceId: 'ws_a', assigneeUserId: null },
    { id: 't4', workspaceId: 'ws_b', assigneeUserId: 'usr_agent' },
  ]);
});
after(async () => {
  await t.close();
});

function access(
  role: Role,
  principal: Principal = {
    kind: 'user',
    userId: 'usr_agent',
    email: 'a@x.test',
    sessionId: 'ses_1',
    sessionToken: 'x',
  },
) {
  return { workspaceId: 'ws_a', principal, can: (p: Parameters<typeof roleHas>[1]) => roleHas(role, p) };
}

async function visibleIds(role: Role, principal?: Principal): Promise<string[]> {
  const rows = await t.platform.db
    .select({ id: tickets.id })
    .from(tickets)
    .where(
      visibleTo(access(role, principal), {
        workspaceId: tickets.workspaceId,
        readAll: 'conversations.read.all',
        readAssigned: 'conversations.read.assigned',
        assignedTo: (userId) => eq(tickets.assigneeUserId, userId),
      }),
    )
    .orderBy(tickets.id);
  return rows.map((r) => r.id);
}

test('Owners, Managers and Viewers see every row of their workspace and none of another', async () => {
  for (const role of ['owner', 'manager', 'viewer'] as const) {
    assert.deepEqual(await visibleIds(role), ['t1', 't2', 't3'], role);
  }
});

test('an Agent sees only rows assigned to them, in their workspace only', async () => {
  assert.deepEqual(await visibleIds('agent'), ['t1']);
});

test('an Agent-role API key (no user) sees nothing', async () => {
  const key: Principal = {
    kind: 'api_key',
    apiKeyId: 'key_1',
    name: 'k',
    workspaceId: 'ws_a',
    role: 'agent',
  };
  assert.deepEqual(await visibleIds('agent', key), []);
});

test('the rule is in the SQL, not applied after the fact', () => {
  const query = t.platform.db
    .select()
    .from(tickets)
    .where(
      visibleTo(access('agent'), {
        workspaceId: tickets.workspaceId,
        readAll: 'conversations.read.all',
        readAssigned: 'conversations.read.assigned',
        assignedTo: (userId) => eq(tickets.assigneeUserId, userId),
      }),
    )
    .toSQL();
  assert.match(query.sql, /"workspace_id" = \$1 and "test_tickets"\."assignee_user_id" = \$2/);
  assert.deepEqual(query.params, ['ws_a', 'usr_agent']);
});
