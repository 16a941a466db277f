#!/usr/bin/env node
// Runs every workspace's tests with Node's test runner (each file in its own process, so each file gets
// its own database and Redis key prefix). `npm test -- apps/graph-sim` runs only the files under a path.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = ['apps', 'packages', 'bench'];
const filters = process.argv.slice(2).map((f) => f.replace(/^\.\//, ''));

const files = roots
  .flatMap((dir) => {
    try {
      return readdirSync(join(root, dir), { recursive: true }).map((f) => join(dir, String(f)));
    } catch {
      return [];
    }
  })
  .filter(
    (f) => f.endsWith('.test.ts') && !f.split(sep).includes('node_modules') && !f.includes(`${sep}e2e${sep}`),
  )
  .filter((f) => filters.length === 0 || filters.some((filter) => f.startsWith(filter) || f.includes(filter)))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}

// The embedded-mode process test expects the built web app: a whole run builds it first (a filtered
// run leaves the build as it is, so work on one module is not held up by the web app).
if (filters.length === 0) {
  const build = spawnSync('npm', ['run', 'build', '--silent', '-w', 'apps/web'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const concurrency = Number(process.env.TEST_CONCURRENCY ?? Math.max(2, availableParallelism()));
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    '--test-timeout=120000',
    ...files.map((f) => relative(process.cwd(), join(root, f))),
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
