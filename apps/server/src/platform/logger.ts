import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Keys whose values are removed from every log line, at any depth and whatever their case or
 * separators (scrubSecrets; the redact paths below are a cheap first pass for shallow cases).
 * Request logging keeps only method, url, ids and status; these keys catch secrets that reach a log
 * through an object logged on purpose (errors, job payloads, Graph responses).
 */
const SECRET_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'apiKey',
  'api_key',
  'secret',
  'appSecret',
  'app_secret',
  'client_secret',
  'pin',
  'verifyToken',
  'masterKey',
  'sessionId',
  'x-hub-signature-256',
  'x-api-key',
  'tokenMasterKey',
  'registrationPin',
];

/** Key names compared without case, `-` or `_`: accessToken, access_token and ACCESS-TOKEN are one. */
const normalizeKey = (key: string) => key.toLowerCase().replace(/[-_]/g, '');
const SECRET_KEY_SET = new Set(SECRET_KEYS.map(normalizeKey));
const CENSOR = '[REDACTED]';
const MAX_DEPTH = 12;

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Replaces the values of secret keys at any depth, whatever their case, copying only what changes
 * (the caller's objects are never mutated). Walks plain objects, arrays and errors only: class
 * instances (requests, replies, buffers) are left to their serializers.
 */
function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    let out: unknown[] | undefined;
    value.forEach((item, index) => {
      const next = scrub(item, depth + 1, seen);
      if (next !== item) {
        out ??= [...value];
        out[index] = next;
      }
    });
    return out ?? value;
  }
  const isError = value instanceof Error;
  if (!isError && !isPlainObject(value)) return value;
  seen.add(value);
  const source = value as Record<string, unknown>;
  const changes: Record<string, unknown> = {};
  let changed = false;
  for (const key of Object.keys(source)) {
    const item = source[key];
    const next = SECRET_KEY_SET.has(normalizeKey(key))
      ? item === undefined || item === null
        ? item
        : CENSOR
      : scrub(item, depth + 1, seen);
    if (next !== item) {
      changes[key] = next;
      changed = true;
    }
  }
  if (isError && value.cause !== undefined) {
    const cause = scrub(value.cause, depth + 1, seen);
    if (cause !== value.cause) {
      changes.cause = cause;
      changed = true;
    }
  }
  if (!changed) return value;
  // An error stays an error (same prototype, message and stack) so pino's serializer still applies.
  const copy = isError
    ? Object.create(Object.getPrototypeOf(value), Object.getOwnPropertyDescriptors(value))
    : { ...source };
  return Object.assign(copy, changes);
}

/** pino `formatters.log`: a deep, case-insensitive scrub of secret keys; objects without nested objects are cheap. */
export function scrubSecrets(object: Record<string, unknown>): Record<string, unknown> {
  return scrub(object, 0, new WeakSet()) as Record<string, unknown>;
}

export const redactPaths = [
  ...SECRET_KEYS.map((key) => (/^[a-zA-Z_$][\w$]*$/.test(key) ? key : `["${key}"]`)),
  ...SECRET_KEYS.map((key) => (/^[a-zA-Z_$][\w$]*$/.test(key) ? `*.${key}` : `*["${key}"]`)),
  ...SECRET_KEYS.map((key) => (/^[a-zA-Z_$][\w$]*$/.test(key) ? `*.*.${key}` : `*.*["${key}"]`)),
];

/** Query-string parameters whose values never reach a log (Meta's and ours). */
const SECRET_QUERY_PARAMS =
  /([?&](?:access_token|input_token|client_secret|code|hub\.verify_token|token|api_key|key|password|pin)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[REDACTED]');
}

export function createLogger(options: {
  level: string;
  destination?: DestinationStream;
  name?: string;
}): Logger {
  return pino(
    {
      level: options.level,
      name: options.name,
      redact: { paths: redactPaths, censor: CENSOR },
      formatters: { log: scrubSecrets },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
