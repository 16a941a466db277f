import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

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
    /** base64 of nonce ‖ secret encrypted under the data key ‖ GCM tag. */
    ciphertext: text('ciphertext').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
  },
  (t) => [index('vault_secrets_workspace_idx').on(t.workspaceId), index('vault_secrets_key_idx').on(t.keyId)],
);
