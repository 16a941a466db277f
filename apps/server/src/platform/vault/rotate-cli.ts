import { ConfigError, loadConfig } from '../../config.js';
import { openDatabase, pgliteDirFor } from '../db/client.js';
import { loadOrCreateLocalKey, parseKeyRing } from './keyring.js';
import { Vault } from './vault.js';

/**
 * `npm run vault:rotate`: re-wraps every data key under the current (first) master key of
 * TOKEN_MASTER_KEY. Servers keep running meanwhile as long as their key ring still holds the old key;
 * remove the old key from the ring only after this reports nothing left under it. Embedded mode: stop
 * the platform first (PGlite allows one process). Data keys are always in the database, so with
 * VAULT_BACKEND=aws this needs no AWS access: the ciphertexts there are not touched.
 */
async function main() {
  const config = loadConfig(process.env);
  const ring = config.tokenMasterKey
    ? parseKeyRing(config.tokenMasterKey)
    : loadOrCreateLocalKey(config.dataDir).ring;
  const handle = await openDatabase({
    url: config.database.url,
    poolSize: 2,
    pgliteDir: pgliteDirFor(config.dataDir),
  });
  try {
    await handle.migrate();
    const vault = new Vault(handle.db, ring);
    const { rewrapped } = await vault.rotate();
    console.log(`re-wrapped ${rewrapped} secret(s) under master key ${vault.currentKeyId}`);
    console.log(`secrets per master key now: ${JSON.stringify(await vault.keyUsage())}`);
    if (config.vault.backend === 'aws')
      console.log('AWS Secrets Manager holds ciphertexts only: they stay as they are, nothing to do there');
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error,
  );
  process.exit(1);
});
