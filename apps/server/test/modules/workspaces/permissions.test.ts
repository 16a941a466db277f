import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  mayActOnRole,
  permissionCatalogue,
  permissionsOf,
  roleHas,
  roles,
} from '../../../src/modules/workspaces/permissions.js';
import { permissionsDocPath, renderPermissionsDoc } from '../../../src/modules/workspaces/permissions-doc.js';

test('docs/permissions.md matches the catalogue (run `npm run docs:permissions` when this fails)', () => {
  assert.equal(readFileSync(permissionsDocPath, 'utf8'), renderPermissionsDoc());
});

test('the catalogue has at least 30 unique, well-formed permissions, each granted to the Owner', () => {
  assert.ok(permissionCatalogue.length >= 30);
  const keys = permissionCatalogue.map((p) => p.key);
  assert.equal(new Set(keys).size, keys.length);
  for (const p of permissionCatalogue) {
    assert.match(p.key, /^[a-z_]+(\.[a-z_]+)+$/);
    assert.ok(roleHas('owner', p.key), `${p.key} must be granted to Owners`);
  }
});

test('roles nest: each role holds every permission of the roles below it, except Agent vs Viewer reads', () => {
  assert.ok(permissionsOf('manager').every((p) => roleHas('owner', p)));
  assert.ok(permissionsOf('agent').every((p) => roleHas('manager', p)));
  // Viewers supervise (read everything) but change nothing.
  for (const p of permissionsOf('viewer')) {
    assert.match(p, /\.(view|read\.all|read\.assigned)$/, `${p} is not read-only`);
  }
});

test('Agents read only what is assigned; the named permissions exist', () => {
  assert.equal(roleHas('agent', 'conversations.read.all'), false);
  assert.equal(roleHas('agent', 'conversations.read.assigned'), true);
  assert.equal(roleHas('agent', 'messages.send'), true);
  assert.equal(roleHas('viewer', 'messages.send'), false);
  for (const key of [
    'templates.manage',
    'campaigns.send',
    'contacts.export',
    'contacts.delete',
    'members.invite',
    'billing.view',
    'channels.manage',
    'api_keys.manage',
    'audit.view',
  ] as const) {
    assert.ok(
      permissionCatalogue.some((p) => p.key === key),
      key,
    );
  }
});

test('role rank: nobody grants above their own role', () => {
  assert.equal(mayActOnRole('manager', 'owner'), false);
  assert.equal(mayActOnRole('manager', 'manager'), true);
  assert.equal(mayActOnRole('owner', 'owner'), true);
  assert.equal(mayActOnRole('viewer', 'agent'), false);
  assert.equal(roles.length, 4);
});
