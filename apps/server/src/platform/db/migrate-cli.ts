import { ConfigError, loadConfig } from '../../config.js';
import { openDatabase, pgliteDirFor } from './client.js';

/** `npm run db:migrate`: applies pending migrations to the configured database and exits. */
async function main() {
  const config = loadConfig(process.env);
  const handle = await openDatabase({
    url: config.database.url,
    poolSize: 1,
    pgliteDir: pgliteDirFor(config.dataDir),
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
