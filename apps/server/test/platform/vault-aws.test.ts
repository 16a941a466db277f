import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { ConfigError, loadConfig } from '../../src/config.js';
import { AwsSecretStore } from '../../src/platform/vault/aws-store.js';
import { parseKeyRing } from '../../src/platform/vault/keyring.js';
import { vaultExternalDeletions, vaultSecrets } from '../../src/platform/vault/tables.js';
import { Vault, VaultBackendError, VaultError, vaultPurgeSweeper } from '../../src/platform/vault/vault.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  type SecretsManagerStandIn,
  startSecretsManagerStandIn,
} from '../helpers/secrets-manager-stand-in.js';

const TOKEN = 'EAAGm0PX4ZCpsBAKnownAwsVaultToken987';
const oldKey = `old:${randomBytes(32).toString('base64')}`;
const newKey = `new:${randomBytes(32).toString('hex')}`;

let aws: SecretsManagerStandIn;
let t: TestApp;
/** Every error message the vault produced here, searched for secrets at the end. */
const messages: string[] = [];

before(async () => {
  aws = await startSecretsManagerStandIn();
  t = await createTestApp({
    modules: [],
    env: {
      TOKEN_MASTER_KEY: oldKey,
      VAULT_BACKEND: 'aws',
      AWS_REGION: 'eu-west-1',
      VAULT_AWS_ENDPOINT: aws.url,
    },
  });
});
after(async () => {
  await t.close();
  await aws.close();
});

/** A second vault on the same stores: nothing cached, so every reveal goes through the SDK. */
function freshVault(ring = oldKey, recoveryWindowDays = t.config.vault.aws.recoveryWindowDays): Vault {
  return new Vault(
    t.platform.db,
    parseKeyRing(ring),
    new AwsSecretStore({ ...t.config.vault.aws, recoveryWindowDays }),
  );
}

const calls = (operation: string) => aws.requests.filter((r) => r.operation === operation).length;

/** Awaits a rejection of the given class and keeps its message for the final secrets check. */
async function rejection<E extends Error>(
  promise: Promise<unknown>,
  kind: new (...args: never[]) => E,
  why?: string,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof kind, `${why ?? 'rejection'}: got ${String(error)}`);
    messages.push(error.message);
    return error;
  }
  assert.fail(`${why ?? 'expected a rejection'}: it resolved`);
}

async function rowOf(id: string) {
  const [row] = await t.platform.db.select().from(vaultSecrets).where(eq(vaultSecrets.id, id));
  assert.ok(row, 'the vault row exists');
  return row;
}

test('a secret round-trips through Secrets Manager; the database keeps only the wrapped key and a reference', async () => {
  assert.equal(t.platform.vault.backend, 'aws');
  const id = await t.platform.vault.put(t.platform.db, 'ws_a', 'waba_token', TOKEN);
  const row = await rowOf(id);
  assert.equal(row.backend, 'aws');
  assert.equal(row.ciphertext, null);
  assert.match(
    row.externalRef ?? '',
    new RegExp(`^arn:aws:secretsmanager:eu-west-1:\\d{12}:secret:openwaba/${id}-`),
  );
  assert.ok(row.externalVersion);
  assert.ok(!JSON.stringify(row).includes(TOKEN), 'no plaintext in the row');

  const stored = aws.find(`openwaba/${id}`);
  assert.ok(stored, 'one AWS secret named under the prefix');
  assert.ok(stored.versions[0]?.secretBinary, 'stored as a binary value');
  const sent = JSON.stringify(aws.requests);
  assert.ok(!sent.includes(TOKEN), 'the plaintext never left the process');
  assert.ok(!sent.includes(Buffer.from(TOKEN).toString('base64')));

  assert.equal(await t.platform.vault.reveal('ws_a', id), TOKEN);
  const reads = calls('GetSecretValue');
  assert.equal(await freshVault().reveal('ws_a', id), TOKEN);
  assert.equal(calls('GetSecretValue'), reads + 1, 'the fresh vault read it through the SDK');
  const read = aws.requests.findLast((r) => r.operation === 'GetSecretValue');
  assert.deepEqual(read?.body, { SecretId: row.externalRef, VersionId: row.externalVersion });
});

test('another workspace cannot open the secret, and nothing is asked of AWS for it', async () => {
  const id = await t.platform.vault.put(t.platform.db, 'ws_a', 'waba_token', TOKEN);
  const reads = calls('GetSecretValue');
  await rejection(freshVault().reveal('ws_b', id), VaultError);
  assert.equal(calls('GetSecretValue'), reads);
});

test('a value written at AWS later is ignored: reads pin the sealed version', async () => {
  const id = await t.platform.vault.put(t.platform.db, 'ws_a', 'waba_token', TOKEN);
  const { SecretsManagerClient, PutSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({ region: 'eu-west-1', endpoint: aws.url });
  await client.send(new PutSecretValueCommand({ SecretId: `openwaba/${id}`, SecretBinary: randomBytes(60) }));
  client.destroy();
  assert.equal(await freshVault().reveal('ws_a', id), TOKEN);
});

test('destroy drops the row at once and deletes the AWS secret through the sweeper', async () => {
  const id = await t.platform.vault.put(t.platform.db, 'ws_d', 'register_pin', '123456');
  const { externalRef } = await rowOf(id);
  assert.equal(await t.platform.vault.reveal('ws_d', id), '123456');
  await t.platform.db.transaction((tx) => t.platform.vault.destroy(tx, 'ws_d', id));
  await rejection(t.platform.vault.reveal('ws_d', id), VaultError, 'not served from the cache');
  const queued = await t.platform.db.select().from(vaultExternalDeletions);
  assert.deepEqual(
    queued.map((q) => q.externalRef),
    [externalRef],
  );

  assert.equal(await vaultPurgeSweeper.sweep(t.platform), 1);
  const deletion = aws.requests.findLast((r) => r.operation === 'DeleteSecret');
  assert.deepEqual(deletion?.body, { SecretId: externalRef, RecoveryWindowInDays: 7 });
  assert.ok(aws.find(externalRef!)?.deletedAt, 'scheduled for deletion after the recovery window');
  assert.equal((await t.platform.db.select().from(vaultExternalDeletions)).length, 0);

  // Asking again (a second worker, a retry) is harmless: AWS says it is already scheduled.
  await t.platform.db.insert(vaultExternalDeletions).values({ externalRef: externalRef! });
  assert.deepEqual(await t.platform.vault.purgeDestroyed(), { purged: 1, failed: 0 });
});

test('with a recovery window of 0 the AWS secret is deleted without recovery', async () => {
  const vault = freshVault(oldKey, 0);
  const id = await vault.put(t.platform.db, 'ws_d', 'register_pin', '654321');
  const { externalRef } = await rowOf(id);
  await vault.destroy(t.platform.db, 'ws_d', id);
  assert.deepEqual(await vault.purgeDestroyed(), { purged: 1, failed: 0 });
  assert.equal(aws.find(externalRef!), undefined);
  const deletion = aws.requests.findLast((r) => r.operation === 'DeleteSecret');
  assert.deepEqual(deletion?.body, { SecretId: externalRef, ForceDeleteWithoutRecovery: true });
});

test('a destroy rolled back with its transaction deletes nothing', async () => {
  const id = await t.platform.vault.put(t.platform.db, 'ws_d', 'waba_token', TOKEN);
  await assert.rejects(
    t.platform.db.transaction(async (tx) => {
      await t.platform.vault.destroy(tx, 'ws_d', id);
      throw new Error('the caller failed after destroying');
    }),
    /the caller failed/,
  );
  assert.equal((await t.platform.db.select().from(vaultExternalDeletions)).length, 0);
  assert.equal(await freshVault().reveal('ws_d', id), TOKEN);
});

test('rotation re-wraps data keys in the database only; AWS is not called and everything still opens', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++)
    ids.push(await t.platform.vault.put(t.platform.db, 'ws_r', 'waba_token', `${TOKEN}-${i}`));
  const before = aws.requests.length;
  const rotating = freshVault(`${newKey},${oldKey}`);
  const { rewrapped } = await rotating.rotate(2);
  assert.ok(rewrapped >= 5);
  assert.equal(aws.requests.length, before, 'no AWS request during rotation');
  assert.equal((await rotating.keyUsage()).old, undefined);
  const newOnly = freshVault(newKey);
  for (const [i, id] of ids.entries()) assert.equal(await newOnly.reveal('ws_r', id), `${TOKEN}-${i}`);
  await rejection(freshVault(oldKey).reveal('ws_r', ids[0]!), VaultError);
});

test('failures of the service surface as clear errors without secrets', async () => {
  const rows = (await t.platform.db.select().from(vaultSecrets)).length;
  aws.failNext('CreateSecret', {
    status: 400,
    type: 'AccessDeniedException',
    message:
      'User: arn:aws:iam::123456789012:user/openwaba is not authorized to perform: secretsmanager:CreateSecret',
  });
  const denied = await rejection(
    t.platform.vault.put(t.platform.db, 'ws_f', 'waba_token', TOKEN),
    VaultBackendError,
  );
  assert.match(
    denied.message,
    /CreateSecret failed: AccessDeniedException \(HTTP 400\): User: .* not authorized/,
  );
  assert.equal((await t.platform.db.select().from(vaultSecrets)).length, rows, 'nothing stored');

  const id = await t.platform.vault.put(t.platform.db, 'ws_f', 'waba_token', TOKEN);
  aws.failNext(
    'GetSecretValue',
    { status: 500, type: 'InternalServiceError', message: 'An error occurred on the server side.' },
    3,
  );
  const down = await rejection(
    freshVault().reveal('ws_f', id),
    VaultBackendError,
    'retryable: not a VaultError',
  );
  assert.match(down.message, /GetSecretValue failed: InternalServiceError \(HTTP 500\)/);
  assert.equal(await freshVault().reveal('ws_f', id), TOKEN, 'works again once AWS does');

  // Deleted behind our back (outside OpenWABA): fails closed, as a secret that will not open.
  const { externalRef } = await rowOf(id);
  await new AwsSecretStore({ ...t.config.vault.aws, recoveryWindowDays: 0 }).remove(externalRef!);
  const gone = await rejection(freshVault().reveal('ws_f', id), VaultError);
  assert.match(gone.message, /not found in AWS Secrets Manager \(ResourceNotFoundException\)/);

  // A failed deletion stays queued with its reason.
  const second = await t.platform.vault.put(t.platform.db, 'ws_f', 'waba_token', TOKEN);
  await t.platform.vault.destroy(t.platform.db, 'ws_f', second);
  aws.failNext('DeleteSecret', {
    status: 400,
    type: 'AccessDeniedException',
    message: 'not authorized to perform: secretsmanager:DeleteSecret',
  });
  assert.deepEqual(await t.platform.vault.purgeDestroyed(), { purged: 0, failed: 1 });
  const [queued] = await t.platform.db.select().from(vaultExternalDeletions);
  assert.match(queued?.lastError ?? '', /DeleteSecret failed: AccessDeniedException/);
  assert.deepEqual(await t.platform.vault.purgeDestroyed(), { purged: 1, failed: 0 });
});

test('an unreachable service is a retryable error too', async () => {
  const id = await t.platform.vault.put(t.platform.db, 'ws_u', 'waba_token', TOKEN);
  const unreachable = new Vault(
    t.platform.db,
    parseKeyRing(oldKey),
    new AwsSecretStore({ ...t.config.vault.aws, endpoint: 'http://127.0.0.1:9' }),
  );
  const error = await rejection(unreachable.reveal('ws_u', id), VaultBackendError);
  assert.match(error.message, /GetSecretValue failed/);
});

test('switching backends keeps every secret readable where it was sealed', async () => {
  const local = new Vault(t.platform.db, parseKeyRing(oldKey));
  const localId = await local.put(t.platform.db, 'ws_m', 'waba_token', 'sealed-locally');
  assert.equal((await rowOf(localId)).backend, 'local');
  assert.equal(await freshVault().reveal('ws_m', localId), 'sealed-locally');
  const awsId = await t.platform.vault.put(t.platform.db, 'ws_m', 'waba_token', TOKEN);
  const error = await rejection(local.reveal('ws_m', awsId), VaultBackendError);
  assert.match(error.message, /VAULT_BACKEND=aws/);
});

test('configuration: the AWS backend needs a region; the recovery window is 0 or 7-30 days', () => {
  const base = { DATA_DIR: 'memory://', VAULT_BACKEND: 'aws' };
  assert.throws(
    () => loadConfig(base),
    (e: unknown) => e instanceof ConfigError && /AWS_REGION/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ ...base, AWS_REGION: 'eu-west-1', VAULT_AWS_RECOVERY_DAYS: '3' }),
    (e: unknown) => e instanceof ConfigError && /VAULT_AWS_RECOVERY_DAYS/.test(e.message),
  );
  const config = loadConfig({ ...base, AWS_REGION: 'eu-west-1', VAULT_AWS_RECOVERY_DAYS: '0' });
  assert.deepEqual(config.vault, {
    backend: 'aws',
    aws: { region: 'eu-west-1', endpoint: undefined, prefix: 'openwaba/', recoveryWindowDays: 0 },
  });
  assert.equal(loadConfig({ DATA_DIR: 'memory://' }).vault.backend, 'local');
});

test('no token in logs or error messages', () => {
  assert.ok(messages.length >= 6, 'errors were collected');
  for (const text of [t.logs.text, ...messages]) {
    assert.ok(!text.includes(TOKEN));
    assert.ok(!text.includes(Buffer.from(TOKEN).toString('base64')));
  }
});
