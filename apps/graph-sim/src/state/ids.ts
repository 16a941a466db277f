import { randomBytes } from 'node:crypto';

/**
 * Ids that look like Meta's: numeric strings of 15 or 16 digits for Graph nodes, `wamid.` plus base64
 * for messages. A counter keeps them unique and cheap to make on the hot path.
 */
let counter = 0;
const base = 100_000_000_000_000 + Math.floor(Math.random() * 9) * 100_000_000_000_000;

export function nodeId(): string {
  counter += 1;
  return String(base + counter * 7919);
}

export function wamid(waId: string): string {
  counter += 1;
  const inner = `HBgL${waId}FQIAERgS${counter.toString(16).toUpperCase().padStart(16, '0')}AA==`;
  return `wamid.${Buffer.from(inner).toString('base64')}`;
}

export function opaqueToken(prefix: string, bytes = 24): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

export function signupCode(): string {
  return `AQ${randomBytes(30).toString('base64url')}`;
}
