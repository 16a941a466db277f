import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures as Meta computes them: `X-Hub-Signature-256: sha256=<hex>` where hex is the
 * HMAC-SHA256 of the exact request body bytes with the app secret as key.
 */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

export function signBody(body: string | Uint8Array, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

const SIGNATURE_FORMAT = /^sha256=[0-9a-fA-F]{64}$/;

/**
 * Constant-time check of a signature header against the raw body. False for a missing or malformed
 * header, and for an empty app secret (a misconfiguration that would let anyone sign with an empty key).
 */
export function verifySignature(
  body: string | Uint8Array,
  header: string | undefined,
  appSecret: string,
): boolean {
  if (!appSecret || header === undefined || !SIGNATURE_FORMAT.test(header)) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', appSecret).update(body).digest();
  return timingSafeEqual(given, expected);
}

/**
 * JSON as Meta's webhook sender writes it: every non-ASCII character escaped as \uXXXX (astral
 * characters as their two UTF-16 halves) and `/` escaped as `\/`. Receivers must hash the bytes they
 * got, never a re-serialisation, precisely because their own serialiser would not produce these bytes.
 */
export function metaJsonStringify(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}
