import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths removed from every log line. Request logging keeps only method, url, ids and status; these
 * paths catch secrets that reach a log through an object logged on purpose (errors, job payloads,
 * Graph responses).
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
];

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
      redact: { paths: redactPaths, censor: '[REDACTED]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
