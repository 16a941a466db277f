import { ConfigError, loadDatabaseLocation } from '../../config.js';
import { openDatabase, pgliteDirFor } from './client.js';

/**
 * `npm run db:migrate`: applies pending migrations to the configured database and exits. It reads only
 * DATABASE_URL and DATA_DIR, so a deploy step can migrate without being handed the vault key.
 */
async function main() {
  const location = loadDatabaseLocation(process.env);
  const handle = await openDatabase({
    url: location.url,
    poolSize: 1,
    pgliteDir: pgliteDirFor(location.dataDir),
  });
  try {
    await handle.migrate();
    console.log(`migrations applied (${handle.kind})`);
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
