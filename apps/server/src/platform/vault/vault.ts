import { and, asc, count, eq, gt, ne } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config.js';
import type { Sweeper } from '../context.js';
import type { Database, Executor } from '../db/client.js';
import { newId } from '../ids.js';
import { AwsSecretStore, VaultBackendError } from './aws-store.js';
import { open, rewrap, seal, VaultError } from './envelope.js';
import type { KeyRing } from './keyring.js';
import { vaultExternalDeletions, vaultSecrets } from './tables.js';

export { VaultBackendError, VaultError };

const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 1_000;

type SecretRow = typeof vaultSecrets.$inferSelect;

/**
 * The token vault: seals secrets and opens them for the moment they are needed. The wrapped data key
 * always stays in `vault_secrets`; the ciphertext sits beside it (local backend) or in AWS Secrets
 * Manager (aws backend), so neither store alone can open a secret. Opened values live only in this
 * process's memory, for a minute at most.
 */
export class Vault {
  private readonly cache = new LRUCache<string, string>({ max: CACHE_MAX, ttl: CACHE_TTL_MS });

  /** `aws`: new ciphertexts go to AWS Secrets Manager; without it they stay in PostgreSQL. */
  constructor(
    private readonly db: Database,
    private readonly ring: KeyRing,
    private readonly aws?: AwsSecretStore,
  ) {}

  get currentKeyId(): string {
    return this.ring.current.id;
  }

  get backend(): 'local' | 'aws' {
    return this.aws ? 'aws' : 'local';
  }

  /**
   * Seals a secret for a workspace and returns its id. Pass a transaction to commit with the caller's
   * change. With AWS, a rolled-back transaction leaves an AWS secret behind that nothing can open: its
   * data key was only ever in the rolled-back row.
   */
  async put(executor: Executor, workspaceId: string, purpose: string, plaintext: string): Promise<string> {
    const id = newId('secret');
    const sealed = seal(this.ring, id, plaintext);
    const wrapped = { keyId: sealed.keyId, wrappedKey: sealed.wrappedKey.toString('base64') };
    if (!this.aws) {
      await executor.insert(vaultSecrets).values({
        id,
        workspaceId,
        purpose,
        ...wrapped,
        backend: 'local',
        ciphertext: sealed.ciphertext.toString('base64'),
      });
      return id;
    }
    const ref = await this.aws.create(id, purpose, sealed.ciphertext);
    try {
      await executor.insert(vaultSecrets).values({
        id,
        workspaceId,
        purpose,
        ...wrapped,
        backend: 'aws',
        externalRef: ref.arn,
        externalVersion: ref.versionId,
      });
    } catch (error) {
      await this.aws.remove(ref.arn).catch(() => {});
      throw error;
    }
    return id;
  }

  /** Opens a secret of the workspace; throws VaultError when it is missing, tampered or its key is gone. */
  async reveal(workspaceId: string, secretId: string): Promise<string> {
    const cacheKey = `${workspaceId}/${secretId}`;
    const hit = this.cache.get(cacheKey);
    if (hit !== undefined) return hit;
    const [row] = await this.db
      .select()
      .from(vaultSecrets)
      .where(and(eq(vaultSecrets.workspaceId, workspaceId), eq(vaultSecrets.id, secretId)));
    if (!row) throw new VaultError('secret not found');
    const value = open(this.ring, row.id, {
      keyId: row.keyId,
      wrappedKey: Buffer.from(row.wrappedKey, 'base64'),
      ciphertext: await this.ciphertextOf(row),
    });
    this.cache.set(cacheKey, value);
    return value;
  }

  /**
   * Destroys a secret for good: its row, with the only copy of the wrapped data key, goes at once. An AWS
   * secret is queued for deletion in the same transaction and deleted by `purgeDestroyed` (the vault
   * sweeper), so a rolled-back destroy leaves a secret that still opens.
   */
  async destroy(executor: Executor, workspaceId: string, secretId: string): Promise<void> {
    this.cache.delete(`${workspaceId}/${secretId}`);
    const removed = await executor
      .delete(vaultSecrets)
      .where(and(eq(vaultSecrets.workspaceId, workspaceId), eq(vaultSecrets.id, secretId)))
      .returning({ externalRef: vaultSecrets.externalRef });
    for (const { externalRef } of removed) {
      if (externalRef)
        await executor.insert(vaultExternalDeletions).values({ externalRef }).onConflictDoNothing();
    }
  }

  /** Deletes at AWS the secrets of destroyed entries. Failures stay queued with their reason. */
  async purgeDestroyed(limit = 100): Promise<{ purged: number; failed: number }> {
    if (!this.aws) return { purged: 0, failed: 0 };
    const queued = await this.db
      .select()
      .from(vaultExternalDeletions)
      .orderBy(asc(vaultExternalDeletions.requestedAt))
      .limit(limit);
    let purged = 0;
    for (const { externalRef } of queued) {
      const where = eq(vaultExternalDeletions.externalRef, externalRef);
      try {
        await this.aws.remove(externalRef);
        await this.db.delete(vaultExternalDeletions).where(where);
        purged++;
      } catch (error) {
        const lastError = error instanceof Error ? error.message : 'unknown error';
        await this.db.update(vaultExternalDeletions).set({ lastError }).where(where);
      }
    }
    return { purged, failed: queued.length - purged };
  }

  /**
   * Re-wraps every data key not yet under the current master key, in batches, each row updated on its
   * own: readers keep working throughout (old keys stay in the ring until this returns). Data keys are
   * always in PostgreSQL, so this never touches AWS: ciphertexts there stay as they are.
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
        const next = rewrap(this.ring, row.id, {
          keyId: row.keyId,
          wrappedKey: Buffer.from(row.wrappedKey, 'base64'),
        });
        const updated = await this.db
          .update(vaultSecrets)
          .set({ keyId: next.keyId, wrappedKey: next.wrappedKey.toString('base64'), rotatedAt: new Date() })
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

  async close(): Promise<void> {
    await this.aws?.close();
  }

  private async ciphertextOf(row: SecretRow): Promise<Buffer> {
    if (row.backend === 'local' && row.ciphertext !== null) return Buffer.from(row.ciphertext, 'base64');
    if (row.backend === 'aws' && row.externalRef && row.externalVersion) {
      if (!this.aws)
        throw new VaultBackendError(
          'this secret is kept in AWS Secrets Manager; set VAULT_BACKEND=aws to open it',
        );
      return this.aws.read({ arn: row.externalRef, versionId: row.externalVersion });
    }
    throw new VaultError(`secret has an unknown backend "${row.backend}"`);
  }
}

/** The vault of the configured backend. */
export function createVault(db: Database, ring: KeyRing, config: Config['vault']): Vault {
  return new Vault(db, ring, config.backend === 'aws' ? new AwsSecretStore(config.aws) : undefined);
}

/** Deletes, at AWS, the secrets of destroyed vault entries (a no-op with the local backend). */
export const vaultPurgeSweeper: Sweeper = {
  name: 'vault.purgeDestroyed',
  async sweep(platform) {
    const { purged, failed } = await platform.vault.purgeDestroyed();
    if (failed > 0)
      platform.logger.warn({ failed }, 'destroyed vault secrets could not be deleted at AWS yet; will retry');
    return purged;
  },
};
