import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing with scrypt (memory-hard): N=2^15, r=8, p=3 is one of OWASP's equivalent minimum
 * settings (32 MiB, ~0.3 s); it keeps memory per log-in lower than N=2^17, p=1 for the same work.
 * The parameters are stored with each hash, so they can be raised later without breaking old ones.
 */
const SCRYPT = { N: 2 ** 15, r: 8, p: 3, keyLength: 64 };
// The test runner (NODE_ENV=test, set by scripts/test.mjs) signs up thousands of users: there a cheap
// cost keeps the suite fast. Hashes record their cost, so a test-made hash never weakens a real one.
if (process.env.NODE_ENV === 'test') SCRYPT.N = 2 ** 10;

function scryptAsync(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number) {
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      keyLength,
      { N, r, p, maxmem: 256 * N * r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyLength);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(
    password,
    Buffer.from(salt, 'base64url'),
    Number(n),
    Number(r),
    Number(p),
    expected.length,
  );
  return timingSafeEqual(actual, expected);
}

/** Verifying against this when the email is unknown makes both failures cost the same time. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return decoyHash;
}

/** 256 random bits, URL-safe: session tokens, reset and invitation tokens, API key bodies. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Lookup hash of a high-entropy token. A fast hash suffices here (unlike passwords): 256 random bits
 * can't be guessed, and the hash lets us find the row by an index without storing the token.
 */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A readable generated password (for the demo seed). */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
