import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { createModules } from '../../../src/modules/index.js';
import { workspaceMembers } from '../../../src/modules/workspaces/workspaces.tables.js';
import type { PlatformModule } from '../../../src/platform/context.js';
import { notFound } from '../../../src/platform/http/errors.js';
import { requirePermission, workspaceAccess } from '../../../src/platform/http/tenant.js';
import { type AccessFixture, assertRouteAccess, createAccessFixture } from '../../helpers/access.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

// Routes with planted mistakes: the helper must catch each one, or it would pass anything.
const probe: PlatformModule = {
  name: 'probe',
  routes(app, platform) {
    const params = z.object({ workspaceId: z.string(), memberId: z.string() });
    // Correct: the member is looked up inside the caller's workspace.
    app.get(
      '/api/v1/workspaces/:workspaceId/probe/scoped/:memberId',
      { ...requirePermission('members.view'), schema: { params } },
      async (request) => {
        const [row] = await platform.db
          .select()
          .from(workspaceMembers)
          .where(eq(workspaceMembers.id, request.params.memberId));
        if (!row || row.workspaceId !== workspaceAccess(request).workspaceId) throw notFound('Member');
        return { id: row.id };
      },
    );
    // Mistake: looks the member up by id alone, so another workspace's member is readable.
    app.get(
      '/api/v1/workspaces/:workspaceId/probe/leaky/:memberId',
      { ...requirePermission('members.view'), schema: { params } },
      async (request) => {
        const [row] = await platform.db
          .select()
          .from(workspaceMembers)
          .where(eq(workspaceMembers.id, request.params.memberId));
        if (!row) throw notFound('Member');
        return { id: row.id };
      },
    );
    // Mistake: no guard at all.
    app.get('/api/v1/workspaces/:workspaceId/probe/unguarded', async () => ({ ok: true }));
  },
};

let t: TestApp;
let fx: AccessFixture;
before(async () => {
  t = await createTestApp({ modules: [...createModules(), probe] });
  fx = await createAccessFixture(t);
});
after(async () => {
  await t.close();
});

const memberOf = async (workspaceId: string) => {
  const [row] = await t.platform.db
    .select()
    .from(workspaceMembers)
    .where(eq(workspaceMembers.workspaceId, workspaceId));
  return { memberId: row!.id };
};

test('a correctly scoped route passes', async () => {
  await assertRouteAccess(t, fx, {
    method: 'GET',
    path: '/api/v1/workspaces/:workspaceId/probe/scoped/:memberId',
    params: memberOf,
  });
});

test('a route that reads another workspace’s resource fails the check', async () => {
  await assert.rejects(
    assertRouteAccess(t, fx, {
      method: 'GET',
      path: '/api/v1/workspaces/:workspaceId/probe/leaky/:memberId',
      params: memberOf,
    }),
    /resource of another workspace/,
  );
});

test('an unguarded route fails the check', async () => {
  await assert.rejects(
    assertRouteAccess(t, fx, { method: 'GET', path: '/api/v1/workspaces/:workspaceId/probe/unguarded' }),
    /must be guarded by requirePermission/,
  );
});
