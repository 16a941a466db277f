import { and, asc, count, eq, gt, ne } from 'drizzle-orm';
import type { Database, Executor } from '../db/client.js';
import { newId } from '../ids.js';
import { open, rewrap, type SealedSecret, seal, VaultError } from './envelope.js';
import type { KeyRing } from './keyring.js';
import { vaultSecrets } from './tables.js';

export { VaultError };

const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 1_000;

/**
 * The token vault: seals secrets into `vault_secrets` and opens them for the moment they are needed.
 * Opened values live only in this process's memory, for a minute at most.
 */
export class Vault {
  private readonly cache = new Map<string, { value: string; expires: number }>();

  constructor(
    private readonly db: Database,
    private readonly ring: KeyRing,
  ) {}

  get currentKeyId(): string {
    return this.ring.current.id;
  }

  /** Seals a secret for a workspace and returns its id. Pass a transaction to commit with the caller's change. */
  async put(executor: Executor, workspaceId: string, purpose: string, plaintext: string): Promise<string> {
    const id = newId('secret');
    const sealed = seal(this.ring, id, plaintext);
    await executor.insert(vaultSecrets).values({ id, workspaceId, purpose, ...toColumns(sealed) });
    return id;
  }

  /** Opens a secret of the workspace; throws VaultError when it is missing, tampered or its key is gone. */
  async reveal(workspaceId: string, secretId: string): Promise<string> {
    const cacheKey = `${workspaceId}/${secretId}`;
    const hit = this.cache.get(cacheKey);
    if (hit && hit.expires > Date.now()) return hit.value;
    const [row] = await this.db
      .select()
      .from(vaultSecrets)
      .where(and(eq(vaultSecrets.workspaceId, workspaceId), eq(vaultSecrets.id, secretId)));
    if (!row) throw new VaultError('secret not found');
    const value = open(this.ring, row.id, fromColumns(row));
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(cacheKey, { value, expires: Date.now() + CACHE_TTL_MS });
    return value;
  }

  /** Destroys a secret for good. */
  async destroy(executor: Executor, workspaceId: string, secretId: string): Promise<void> {
    this.cache.delete(`${workspaceId}/${secretId}`);
    await executor
      .delete(vaultSecrets)
      .where(and(eq(vaultSecrets.workspaceId, workspaceId), eq(vaultSecrets.id, secretId)));
  }

  /**
   * Re-wraps every data key not yet under the current master key, in batches, each row updated on its
   * own: readers keep working throughout (old keys stay in the ring until this returns).
   */
  async rotate(batchSize = 500): Promise<{ rewrapped: number }> {
    let rewrapped = 0;
    let after = '';
    for (;;) {
      const rows = await this.db
        .select()
        .from(vaultSecrets)
        .where(and(ne(vaultSecrets.keyId, this.ring.current.id), gt(vaultSecrets.id, after)))
        .orderBy(asc(vaultSecrets.id))
        .limit(batchSize);
      if (rows.length === 0) return { rewrapped };
      for (const row of rows) {
        const next = rewrap(this.ring, row.id, fromColumns(row));
        const updated = await this.db
          .update(vaultSecrets)
          .set({ ...toColumns(next), rotatedAt: new Date() })
          .where(and(eq(vaultSecrets.id, row.id), eq(vaultSecrets.keyId, row.keyId)))
          .returning({ id: vaultSecrets.id });
        rewrapped += updated.length;
      }
      after = rows[rows.length - 1]!.id;
    }
  }

  /** Counts secrets per master key id (operators check this before retiring a key). */
  async keyUsage(): Promise<Record<string, number>> {
    const rows = await this.db
      .select({ keyId: vaultSecrets.keyId, n: count() })
      .from(vaultSecrets)
      .groupBy(vaultSecrets.keyId);
    return Object.fromEntries(rows.map((row) => [row.keyId, Number(row.n)]));
  }
}

function toColumns(sealed: SealedSecret) {
  return {
    keyId: sealed.keyId,
    wrappedKey: sealed.wrappedKey.toString('base64'),
    ciphertext: sealed.ciphertext.toString('base64'),
  };
}

function fromColumns(row: { keyId: string; wrappedKey: string; ciphertext: string }): SealedSecret {
  return {
    keyId: row.keyId,
    wrappedKey: Buffer.from(row.wrappedKey, 'base64'),
    ciphertext: Buffer.from(row.ciphertext, 'base64'),
  };
}
