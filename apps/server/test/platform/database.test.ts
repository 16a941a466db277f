import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { migrationsFolder, openDatabase } from '../../src/platform/db/client.js';
import { systemSettings } from '../../src/platform/db/tables.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, scaleMode } from '../helpers/environment.js';

const migrationFiles = readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).length;

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
