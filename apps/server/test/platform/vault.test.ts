import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { open, seal } from '../../src/platform/vault/envelope.js';
import { loadOrCreateLocalKey, parseKeyRing } from '../../src/platform/vault/keyring.js';
import { vaultSecrets } from '../../src/platform/vault/tables.js';
import { Vault, VaultError } from '../../src/platform/vault/vault.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const TOKEN = 'EAAGm0PX4ZCpsBAKnownTestToken123';
const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('hex');

let t: TestApp;
before(async () => {
  t = await createTestApp({ modules: [], env: { TOKEN_MASTER_KEY: `old:${oldKey}` } });
});
after(async () => {
  await t.close();
});

test('a sealed token is stored without its plaintext and opens again', async () => {
  const vault = new Vault(t.platform.db, parseKeyRing(`old:${oldKey}`));
  const id = await vault.put(t.platform.db, 'ws_a', 'waba_token', TOKEN);
  const [row] = await t.platform.db.select().from(vaultSecrets).where(eq(vaultSecrets.id, id));
  assert.ok(row);
  assert.equal(row.keyId, 'old');
  assert.ok(!JSON.stringify(row).includes(TOKEN), 'no plaintext in the row');
  assert.ok(!JSON.stringify(row).includes(Buffer.from(TOKEN).toString('base64')));
  assert.equal(await vault.reveal('ws_a', id), TOKEN);
});

test('another workspace cannot open the secret', async () => {
  const vault = new Vault(t.platform.db, parseKeyRing(`old:${oldKey}`));
  const id = await vault.put(t.platform.db, 'ws_a', 'waba_token', TOKEN);
  await assert.rejects(() => vault.reveal('ws_b', id), VaultError);
});

test('tampered ciphertext or wrapped key fails closed', async () => {
  const ring = parseKeyRing(`old:${oldKey}`);
  const sealed = seal(ring, 'sec_1', TOKEN);
  const flipped = Buffer.from(sealed.ciphertext);
  flipped[14] = flipped[14]! ^ 1;
  assert.throws(() => open(ring, 'sec_1', { ...sealed, ciphertext: flipped }), VaultError);
  const wrapped = Buffer.from(sealed.wrappedKey);
  wrapped[20] = wrapped[20]! ^ 1;
  assert.throws(() => open(ring, 'sec_1', { ...sealed, wrappedKey: wrapped }), VaultError);
  // A sealed value moved onto another secret's id does not open either.
  assert.throws(() => open(ring, 'sec_2', sealed), VaultError);
  assert.equal(open(ring, 'sec_1', sealed), TOKEN);
});

test('rotation re-wraps every secret under the new key and all still open', async () => {
  const before = new Vault(t.platform.db, parseKeyRing(`old:${oldKey}`));
  const ids: string[] = [];
  for (let i = 0; i < 25; i++)
    ids.push(await before.put(t.platform.db, 'ws_r', 'waba_token', `${TOKEN}-${i}`));
  const rotating = new Vault(t.platform.db, parseKeyRing(`new:${newKey},old:${oldKey}`));
  const { rewrapped } = await rotating.rotate(7);
  assert.ok(rewrapped >= 25);
  const usage = await rotating.keyUsage();
  assert.equal(usage.old, undefined, 'nothing left under the old key');
  assert.ok((usage.new ?? 0) >= 25);
  assert.equal((await rotating.rotate()).rewrapped, 0, 'a second run has nothing to do');
  // After rotation the old key can leave the ring.
  const newOnly = new Vault(t.platform.db, parseKeyRing(`new:${newKey}`));
  for (const [i, id] of ids.entries()) assert.equal(await newOnly.reveal('ws_r', id), `${TOKEN}-${i}`);
  await assert.rejects(
    () => before.reveal('ws_r', ids[0]!),
    VaultError,
    'the old ring alone no longer opens them',
  );
});

test('destroy removes the secret for good', async () => {
  const vault = new Vault(t.platform.db, parseKeyRing(`old:${oldKey}`));
  const id = await vault.put(t.platform.db, 'ws_d', 'register_pin', '123456');
  assert.equal(await vault.reveal('ws_d', id), '123456');
  await vault.destroy(t.platform.db, 'ws_d', id);
  await assert.rejects(() => vault.reveal('ws_d', id), VaultError);
});

test('embedded mode creates a private key file once and reuses it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'owaba-key-'));
  try {
    const first = loadOrCreateLocalKey(dir);
    assert.equal(first.created, true);
    assert.equal(statSync(first.path).mode & 0o777, 0o600);
    const second = loadOrCreateLocalKey(dir);
    assert.equal(second.created, false);
    assert.equal(second.ring.current.id, first.ring.current.id);
    assert.ok(second.ring.current.key.equals(first.ring.current.key));
    assert.match(readFileSync(first.path, 'utf8'), /^mk_[0-9a-f]{12}:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
