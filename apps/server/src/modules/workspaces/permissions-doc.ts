import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { permissionCatalogue, roleLabels, roles } from './permissions.js';

/** docs/permissions.md, generated from the catalogue (`npm run docs:permissions`); a test fails when stale. */
export const permissionsDocPath = fileURLToPath(
  new URL('../../../../../docs/permissions.md', import.meta.url),
);

export function renderPermissionsDoc(): string {
  const lines = [
    '# Roles and permissions',
    '',
    '<!-- Generated from apps/server/src/modules/workspaces/permissions.ts by `npm run docs:permissions`. Do not edit. -->',
    '',
    'Every workspace member has one role. API keys carry a role too, and can do what a member of that role',
    'can. A role may grant, change or remove only roles at or below its own rank',
    `(${roles.map((r) => roleLabels[r]).join(' > ')}), and a workspace always keeps at least one Owner.`,
    '',
    'Permissions ending in `.read.assigned` limit a role to resources assigned to the caller (an Agent sees',
    "the conversations assigned to them and those conversations' contacts); the query enforces it",
    '(`visibleTo` in apps/server/src/platform/http/tenant.ts).',
    '',
    `| Permission | Area | What it allows | ${roles.map((r) => roleLabels[r]).join(' | ')} |`,
    `|---|---|---|${roles.map(() => ':-:').join('|')}|`,
  ];
  for (const p of permissionCatalogue) {
    const marks = roles.map((r) => ((p.roles as readonly string[]).includes(r) ? '✓' : '—'));
    lines.push(`| \`${p.key}\` | ${p.group} | ${p.description} | ${marks.join(' | ')} |`);
  }
  lines.push('', `${permissionCatalogue.length} permissions.`, '');
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(permissionsDocPath, renderPermissionsDoc());
  console.log(`wrote ${permissionsDocPath}`);
}
