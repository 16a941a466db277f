import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { migrationsFolder, openDatabase, pgliteDirFor } from '../../src/platform/db/client.js';
import { systemSettings } from '../../src/platform/db/tables.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, scaleMode } from '../helpers/environment.js';

const migrationFiles = readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).length;
const MIGRATE_CLI = fileURLToPath(new URL('../../src/platform/db/migrate-cli.ts', import.meta.url));
const run = promisify(execFile);

async function appliedMigrations(t: TestApp): Promise<number> {
  const result = await t.platform.db.execute(
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  );
  return Number((result as unknown as { rows: { n: number }[] }).rows[0]!.n);
}

let t: TestApp;
before(async () => {
  t = await createTestApp({ modules: [] });
});
after(async () => {
  await t.close();
});

test('every committed migration is applied at boot', async () => {
  assert.ok(migrationFiles >= 1);
  assert.equal(await appliedMigrations(t), migrationFiles);
});

test('migrating again changes nothing', async () => {
  await t.platform.database.migrate();
  assert.equal(await appliedMigrations(t), migrationFiles);
});

test('typed queries round-trip through drizzle', async () => {
  await t.platform.db.insert(systemSettings).values({ key: 'probe', value: { n: 1, name: 'ñandú 🦤' } });
  const [row] = await t.platform.db.select().from(systemSettings).where(eq(systemSettings.key, 'probe'));
  assert.deepEqual(row?.value, { n: 1, name: 'ñandú 🦤' });
  assert.ok(row?.updatedAt instanceof Date);
});

test('a failed transaction leaves nothing behind', async () => {
  await assert.rejects(
    t.platform.db.transaction(async (tx) => {
      await tx.insert(systemSettings).values({ key: 'rolled-back', value: true });
      throw new Error('fail after the write');
    }),
  );
  const rows = await t.platform.db.select().from(systemSettings).where(eq(systemSettings.key, 'rolled-back'));
  assert.equal(rows.length, 0);
});

test('processes migrating the same PostgreSQL at once apply each migration once', {
  skip: !scaleMode,
}, async () => {
  const fresh = await createTestDatabase();
  const handles = await Promise.all([1, 2, 3, 4].map(() => openDatabase({ url: fresh.url, poolSize: 2 })));
  try {
    await Promise.all(handles.map((handle) => handle.migrate()));
    const result = await handles[0]!.db.execute(
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    );
    assert.equal(Number((result as unknown as { rows: { n: number }[] }).rows[0]!.n), migrationFiles);
  } finally {
    await Promise.all(handles.map((handle) => handle.close()));
    await fresh.drop();
  }
});

test('`npm run db:migrate` needs only the database: no TOKEN_MASTER_KEY, unrelated variables unread', async () => {
  const fresh = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'owaba-migrate-'));
  // Nothing inherited but PATH: no master key, and values the server itself would refuse.
  const env = {
    PATH: process.env.PATH ?? '',
    DATA_DIR: dataDir,
    ...(fresh.url ? { DATABASE_URL: fresh.url } : {}),
    PORT: 'not-a-port',
    REDIS_URL: 'not a url',
  };
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', MIGRATE_CLI], { env });
    assert.match(stdout, fresh.url ? /migrations applied \(postgres\)/ : /migrations applied \(pglite\)/);

    const handle = await openDatabase({ url: fresh.url, poolSize: 1, pgliteDir: pgliteDirFor(dataDir) });
    try {
      const result = await handle.db.execute(
        sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
      );
      assert.equal(Number((result as unknown as { rows: { n: number }[] }).rows[0]!.n), migrationFiles);
    } finally {
      await handle.close();
    }

    const bad = await run(process.execPath, ['--import', 'tsx', MIGRATE_CLI], {
      env: { ...env, DATABASE_URL: 'mysql://owaba:hunter2@127.0.0.1/x' },
    }).then(
      () => assert.fail('a bad DATABASE_URL must stop the migration'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /DATABASE_URL: /);
    assert.doesNotMatch(bad.stderr, /hunter2|PORT|REDIS_URL/);
  } finally {
    await fresh.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a connection lost in the middle of a transaction fails that transaction, not the process', {
  skip: !scaleMode,
}, async () => {
  const outcome = await t.platform.db
    .transaction(async (tx) => {
      const [row] = (
        (await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as { rows: { pid: number }[] }
      ).rows;
      // The server goes away while this transaction sits between two statements (as PostgreSQL does
      // when it crashes): the client emits 'error' with no query running. Unheard, that ends the process.
      const admin = new pg.Client({ connectionString: t.config.database.url });
      await admin.connect();
      await admin.query('select pg_terminate_backend($1)', [row!.pid]);
      await admin.end();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await tx.execute(sql`select 1`);
      return 'committed';
    })
    .catch((error: unknown) => (error instanceof Error ? 'failed' : 'thrown'));
  assert.equal(outcome, 'failed');
  // The pool drops the dead connection and the next statement works.
  const result = (await t.platform.db.execute(sql`select 1 as one`)) as unknown as {
    rows: { one: number }[];
  };
  assert.equal(result.rows[0]!.one, 1);
});
