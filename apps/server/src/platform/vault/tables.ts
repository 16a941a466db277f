import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Sealed secrets (access tokens, PINs, per-workspace signing secrets). Never holds a plaintext. */
export const vaultSecrets = pgTable(
  'vault_secrets',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    /** What the secret is for, e.g. 'waba_token', 'register_pin'; for audits and rotation reports. */
    purpose: text('purpose').notNull(),
    /** Id of the master key that wraps `wrapped_key`. */
    keyId: text('key_id').notNull(),
    /** base64 of nonce ‖ data key encrypted under the master key ‖ GCM tag. */
    wrappedKey: text('wrapped_key').notNull(),
    /** Where the ciphertext lives: 'local' (the column below) or 'aws' (AWS Secrets Manager). */
    backend: text('backend').notNull().default('local'),
    /** base64 of nonce ‖ secret encrypted under the data key ‖ GCM tag; null when it lives in AWS. */
    ciphertext: text('ciphertext'),
    /** ARN of the AWS secret that holds the ciphertext. */
    externalRef: text('external_ref'),
    /** The AWS secret version written when sealing; reads pin it, so a value put there later is ignored. */
    externalVersion: text('external_version'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
  },
  (t) => [
    index('vault_secrets_workspace_idx').on(t.workspaceId),
    index('vault_secrets_key_idx').on(t.keyId),
    check(
      'vault_secrets_backend_check',
      sql`(${t.backend} = 'local' and ${t.ciphertext} is not null) or (${t.backend} = 'aws' and ${t.externalRef} is not null and ${t.externalVersion} is not null)`,
    ),
  ],
);

/**
 * AWS secrets of destroyed vault entries, still to be deleted at AWS. Written in the transaction that
 * destroys the entry, so a rolled-back destroy deletes nothing; the vault sweeper works through them.
 */
export const vaultExternalDeletions = pgTable('vault_external_deletions', {
  externalRef: text('external_ref').primaryKey(),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
  /** Why the last attempt failed (an AWS error name), for operators; null before the first failure. */
  lastError: text('last_error'),
});
