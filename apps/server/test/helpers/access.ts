import assert from 'node:assert/strict';
import { count, eq } from 'drizzle-orm';
import { auditLog } from '../../src/modules/audit/audit.tables.js';
import { insertApiKey, insertSession, insertUser } from '../../src/modules/identity/identity.repository.js';
import { hashPassword, randomToken, tokenHash } from '../../src/modules/identity/secrets.js';
import { type Permission, type Role, roleHas, roles } from '../../src/modules/workspaces/permissions.js';
import { insertMember, updateWorkspace } from '../../src/modules/workspaces/workspaces.repository.js';
import { createWorkspace } from '../../src/modules/workspaces/workspaces.service.js';
import { csrfTokenFor, SESSION_COOKIE, systemActor } from '../../src/platform/http/auth.js';
import { newId } from '../../src/platform/ids.js';
import { json, type TestApp } from './app.js';

/**
 * Tenant-isolation and role checks for any route, driven by the permission catalogue:
 *
 *   const fx = await createAccessFixture(t);
 *   await assertRouteAccess(t, fx, {
 *     method: 'POST',
 *     path: '/api/v1/workspaces/:workspaceId/invitations',
 *     body: () => ({ email: uniqueEmail(), role: 'viewer' }),
 *   });
 *
 * It reads the permission the route declares (requirePermission), then proves: no credentials → 401;
 * a member or API key of another workspace → 404; per role (session and API key) allowed → 2xx, not
 * allowed → 403 with nothing written to the audit trail; and, when the path names a resource, the
 * same resource id from another workspace → 404.
 */

export interface Caller {
  label: string;
  headers: Record<string, string>;
  userId?: string;
  email?: string;
}

export interface AccessFixture {
  workspaceId: string;
  /** A signed-in member per role. */
  members: Record<Role, Caller & { userId: string; memberId: string }>;
  /** An API key per role. */
  keys: Record<Role, Caller>;
  other: { workspaceId: string; owner: Caller & { userId: string }; key: Caller };
}

let sharedHash: Promise<string> | undefined;
/** One hash per test process: scrypt is slow on purpose, and fixtures need many users. */
export const FIXTURE_PASSWORD = 'fixture-password-1';
const fixtureHash = () => {
  sharedHash ??= hashPassword(FIXTURE_PASSWORD);
  return sharedHash;
};

let counter = 0;
export function uniqueEmail(tag = 'user'): string {
  counter += 1;
  return `${tag}-${Date.now().toString(36)}-${counter}@example.test`;
}

/** A user with a live session, made directly in the database (no HTTP, no per-user scrypt). */
export async function createSignedInUser(
  t: TestApp,
  email = uniqueEmail(),
): Promise<Caller & { userId: string }> {
  const user = await insertUser(t.platform.db, {
    id: newId('user'),
    email,
    name: email.split('@')[0]!,
    passwordHash: await fixtureHash(),
  });
  assert.ok(user, `user ${email} already exists`);
  const token = randomToken();
  await insertSession(t.platform.db, {
    id: newId('session'),
    userId: user.id,
    tokenHash: tokenHash(token),
    expiresAt: new Date(Date.now() + 3600_000),
  });
  return { label: email, userId: user.id, email, headers: sessionHeaders(token) };
}

export function sessionHeaders(token: string): Record<string, string> {
  return { cookie: `${SESSION_COOKIE}=${token}`, 'x-csrf-token': csrfTokenFor(token) };
}

export async function addMember(
  t: TestApp,
  workspaceId: string,
  userId: string,
  role: Role,
): Promise<string> {
  const memberId = newId('member');
  await insertMember(t.platform.db, workspaceId, { id: memberId, userId, role });
  return memberId;
}

export async function createKey(
  t: TestApp,
  workspaceId: string,
  role: Role,
): Promise<Caller & { id: string }> {
  const secret = `owk_${randomToken()}`;
  const row = await insertApiKey(t.platform.db, workspaceId, {
    id: newId('apiKey'),
    name: `${role} key`,
    role,
    prefix: secret.slice(0, 12),
    keyHash: tokenHash(secret),
  });
  return { id: row.id, label: `${role} API key`, headers: { authorization: `Bearer ${secret}` } };
}

/** A workspace (enterprise plan: no seat or key limits get in the way) with a member and a key per role. */
export async function createWorkspaceWithOwner(t: TestApp, name = 'Fixture workspace') {
  const owner = await createSignedInUser(t, uniqueEmail('owner'));
  const workspace = await createWorkspace(t.platform.db, systemActor('test'), {
    name,
    ownerUserId: owner.userId,
  });
  await updateWorkspace(t.platform.db, workspace.id, { plan: 'enterprise' });
  return { workspaceId: workspace.id, owner };
}

export async function createAccessFixture(t: TestApp): Promise<AccessFixture> {
  const { workspaceId, owner } = await createWorkspaceWithOwner(t);
  const ownerMember = await t.platform.db.query.workspaceMembers.findFirst({
    where: (m, { and, eq: is }) => and(is(m.workspaceId, workspaceId), is(m.userId, owner.userId)),
  });
  const members = {
    owner: { ...owner, label: 'owner', memberId: ownerMember!.id },
  } as AccessFixture['members'];
  const keys = {} as AccessFixture['keys'];
  for (const role of roles) {
    if (role !== 'owner') {
      const user = await createSignedInUser(t, uniqueEmail(role));
      members[role] = { ...user, label: role, memberId: await addMember(t, workspaceId, user.userId, role) };
    }
    keys[role] = await createKey(t, workspaceId, role);
  }
  const other = await createWorkspaceWithOwner(t, 'Other workspace');
  return {
    workspaceId,
    members,
    keys,
    other: {
      workspaceId: other.workspaceId,
      owner: other.owner,
      key: await createKey(t, other.workspaceId, 'owner'),
    },
  };
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteCase {
  method: Method;
  /** As registered, e.g. `/api/v1/workspaces/:workspaceId/members/:memberId`. */
  path: string;
  /**
   * Values for the path's other parameters, made fresh for each attempt in the given workspace
   * (e.g. a new member to remove). Needed when the path has parameters besides :workspaceId.
   */
  params?: (workspaceId: string) => Promise<Record<string, string>> | Record<string, string>;
  body?: () => unknown;
  /** A query string (without `?`) for every attempt, e.g. `q=hello`. */
  query?: string;
  /** Extra request headers, e.g. the Content-Type of a multipart `body` given as a Buffer. */
  headers?: Record<string, string>;
  /** Also try API keys (default true). */
  apiKeys?: boolean;
}

export async function auditCount(t: TestApp, workspaceId: string): Promise<number> {
  const [row] = await t.platform.db
    .select({ n: count() })
    .from(auditLog)
    .where(eq(auditLog.workspaceId, workspaceId));
  return row?.n ?? 0;
}

async function call(
  t: TestApp,
  route: RouteCase,
  workspaceId: string,
  caller: Caller | null,
  params: Record<string, string>,
) {
  let url = route.path.replace(':workspaceId', workspaceId);
  for (const [name, value] of Object.entries(params))
    url = url.replace(`:${name}`, encodeURIComponent(value));
  assert.doesNotMatch(url, /\/:/, `${route.path}: give params() for every path parameter`);
  if (route.query) url += `?${route.query}`;
  const body = route.body?.();
  return t.inject({
    method: route.method,
    url,
    headers: { ...route.headers, ...caller?.headers },
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
}

const is2xx = (status: number) => status >= 200 && status < 300;

export async function assertRouteAccess(t: TestApp, fx: AccessFixture, route: RouteCase): Promise<void> {
  const name = `${route.method} ${route.path}`;
  const permission: Permission | undefined = t.http.routePermissions.get(name);
  assert.ok(permission, `${name} must be guarded by requirePermission()`);
  const params = async (workspaceId: string) => (route.params ? await route.params(workspaceId) : {});

  const anonymous = await call(t, route, fx.workspaceId, null, await params(fx.workspaceId));
  assert.equal(anonymous.statusCode, 401, `${name} without credentials`);

  // A refused request leaves no trace in the trail: the change never happened, so nothing to record.
  // Background work of the calls before (jobs a permitted call queued) must not be taken for its trace.
  const refusedWritesNothing = async (who: string, attempt: () => Promise<void>) => {
    await t.platform.jobs.idle();
    const before = await auditCount(t, fx.workspaceId);
    await attempt();
    assert.equal(
      await auditCount(t, fx.workspaceId),
      before,
      `${name} refused for ${who} but wrote audit rows`,
    );
  };

  for (const outsider of [fx.other.owner, fx.other.key]) {
    const values = await params(fx.workspaceId);
    await refusedWritesNothing(outsider.label, async () => {
      const res = await call(t, route, fx.workspaceId, outsider, values);
      assert.equal(res.statusCode, 404, `${name} by ${outsider.label} of another workspace: ${res.body}`);
      assert.equal(json<{ error: { code: string } }>(res).error.code, 'not_found');
    });
  }

  const callers: [Role, Caller][] = [
    ...roles.map((role): [Role, Caller] => [role, fx.members[role]]),
    ...(route.apiKeys === false ? [] : roles.map((role): [Role, Caller] => [role, fx.keys[role]])),
  ];
  for (const [role, caller] of callers) {
    const values = await params(fx.workspaceId);
    if (roleHas(role, permission)) {
      const res = await call(t, route, fx.workspaceId, caller, values);
      assert.ok(
        is2xx(res.statusCode),
        `${name} as ${caller.label} (has ${permission}): ${res.statusCode} ${res.body}`,
      );
    } else {
      await refusedWritesNothing(caller.label, async () => {
        const res = await call(t, route, fx.workspaceId, caller, values);
        assert.equal(res.statusCode, 403, `${name} as ${caller.label} (lacks ${permission}): ${res.body}`);
        assert.equal(json<{ error: { code: string } }>(res).error.code, 'forbidden');
      });
    }
  }

  if (route.params) {
    // A real resource id, but of the other workspace, through this workspace's URL.
    const foreign = await route.params(fx.other.workspaceId);
    await refusedWritesNothing('a foreign resource id', async () => {
      const res = await call(t, route, fx.workspaceId, fx.members.owner, foreign);
      assert.equal(res.statusCode, 404, `${name} with a resource of another workspace: ${res.body}`);
    });
  }
}
