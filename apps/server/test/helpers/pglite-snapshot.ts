import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder } from '../../src/platform/db/client.js';

const CACHE_DIR = new URL('../../../../node_modules/.cache/openwaba/', import.meta.url).pathname;

/**
 * A migrated, empty PGlite database as a data-directory dump. PGlite's initdb costs ~3 s per instance;
 * loading a dump costs well under one. The dump is keyed by the migrations' content, so a new
 * migration makes a new snapshot; concurrent test processes may both build it (the rename is atomic).
 */
export async function migratedSnapshot(): Promise<Blob> {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsFolder, { recursive: true }).map(String).sort()) {
    if (file.endsWith('.sql') || file.endsWith('.json'))
      hash.update(file).update(readFileSync(join(migrationsFolder, file)));
  }
  const path = join(CACHE_DIR, `pglite-${hash.digest('hex').slice(0, 16)}.tar`);
  try {
    return new Blob([readFileSync(path)]);
  } catch {
    // not built yet
  }
  const client = await PGlite.create('memory://');
  try {
    await migrate(drizzle({ client }), { migrationsFolder });
    const dump = await client.dumpDataDir('none');
    const bytes = Buffer.from(await dump.arrayBuffer());
    mkdirSync(CACHE_DIR, { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, bytes);
    renameSync(temp, path);
    return new Blob([bytes]);
  } finally {
    await client.close();
  }
}
