import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Master keys that wrap the vault's data keys. `TOKEN_MASTER_KEY` holds one key, or a comma-separated
 * ring `id:key,id:key` whose FIRST entry is the current key (new secrets and rotation use it); the
 * others stay readable until `vault:rotate` has re-wrapped everything. A key is 32 bytes, written as
 * 64 hex characters or base64. A key without an id gets one from its fingerprint.
 */
export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface KeyRing {
  current: MasterKey;
  byId: ReadonlyMap<string, MasterKey>;
}

export class KeyRingError extends Error {}

export function parseKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32)
    throw new KeyRingError('a master key must be 32 bytes (64 hex characters or base64)');
  return key;
}

export function fingerprint(key: Buffer): string {
  return `mk_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

export function parseKeyRing(value: string): KeyRing {
  const keys: MasterKey[] = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const colon = part.indexOf(':');
      // base64 has no ':', so "id:key" is unambiguous.
      if (colon > 0) {
        const id = part.slice(0, colon);
        if (!/^[\w.-]{1,40}$/.test(id)) throw new KeyRingError(`master key id "${id}" is not valid`);
        return { id, key: parseKey(part.slice(colon + 1)) };
      }
      const key = parseKey(part);
      return { id: fingerprint(key), key };
    });
  const current = keys[0];
  if (!current) throw new KeyRingError('TOKEN_MASTER_KEY is empty');
  const byId = new Map<string, MasterKey>();
  for (const key of keys) {
    if (byId.has(key.id)) throw new KeyRingError(`master key id "${key.id}" appears twice`);
    byId.set(key.id, key);
  }
  return { current, byId };
}

/**
 * Embedded mode: use the key stored under the data directory, creating it (mode 0600) on first start.
 * Returns whether it was created, so the caller can say so.
 */
export function loadOrCreateLocalKey(dataDir: string): { ring: KeyRing; created: boolean; path: string } {
  const path = join(dataDir, 'master.key');
  if (existsSync(path)) return { ring: parseKeyRing(readFileSync(path, 'utf8')), created: false, path };
  mkdirSync(dirname(path), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, `${fingerprint(key)}:${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { ring: parseKeyRing(readFileSync(path, 'utf8')), created: true, path };
}
