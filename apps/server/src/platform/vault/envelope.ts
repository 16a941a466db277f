import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyRing } from './keyring.js';

/**
 * Envelope encryption with AES-256-GCM: each secret gets its own random data key; the data key is
 * wrapped by a master key. Rotating a master key re-wraps data keys without touching the ciphertext.
 * The secret's own id is the additional authenticated data of both layers, so a sealed value copied
 * onto another row fails to open.
 */
export interface SealedSecret {
  keyId: string;
  /** nonce (12) ‖ wrapped data key (32) ‖ tag (16) */
  wrappedKey: Buffer;
  /** nonce (12) ‖ ciphertext ‖ tag (16) */
  ciphertext: Buffer;
}

export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultError';
  }
}

const NONCE = 12;
const TAG = 16;

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

function decrypt(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < NONCE + TAG) throw new VaultError('sealed value is truncated');
  const nonce = sealed.subarray(0, NONCE);
  const tag = sealed.subarray(sealed.length - TAG);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(NONCE, sealed.length - TAG)), decipher.final()]);
  } catch {
    throw new VaultError('sealed value failed authentication (tampered, or the wrong key)');
  }
}

export function seal(ring: KeyRing, secretId: string, plaintext: string): SealedSecret {
  const aad = Buffer.from(secretId);
  const dataKey = randomBytes(32);
  try {
    return {
      keyId: ring.current.id,
      wrappedKey: encrypt(ring.current.key, dataKey, aad),
      ciphertext: encrypt(dataKey, Buffer.from(plaintext, 'utf8'), aad),
    };
  } finally {
    dataKey.fill(0);
  }
}

export function open(ring: KeyRing, secretId: string, sealed: SealedSecret): string {
  const master = ring.byId.get(sealed.keyId);
  if (!master) throw new VaultError(`master key ${sealed.keyId} is not in the key ring`);
  const aad = Buffer.from(secretId);
  const dataKey = decrypt(master.key, sealed.wrappedKey, aad);
  try {
    return decrypt(dataKey, sealed.ciphertext, aad).toString('utf8');
  } finally {
    dataKey.fill(0);
  }
}

/** Re-wraps the data key under the ring's current master key; the ciphertext, wherever it is, stays as it is. */
export function rewrap<T extends Pick<SealedSecret, 'keyId' | 'wrappedKey'>>(
  ring: KeyRing,
  secretId: string,
  sealed: T,
): T {
  if (sealed.keyId === ring.current.id) return sealed;
  const master = ring.byId.get(sealed.keyId);
  if (!master) throw new VaultError(`master key ${sealed.keyId} is not in the key ring`);
  const aad = Buffer.from(secretId);
  const dataKey = decrypt(master.key, sealed.wrappedKey, aad);
  try {
    return { ...sealed, keyId: ring.current.id, wrappedKey: encrypt(ring.current.key, dataKey, aad) };
  } finally {
    dataKey.fill(0);
  }
}
