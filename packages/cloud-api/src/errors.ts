import { z } from 'zod';

/**
 * Meta's error envelope and the errors the Graph client throws. Classification follows the error code,
 * never the HTTP status alone: Meta returns throttling as 400 in most captures and 429 in others.
 */

export const graphErrorBodySchema = z.looseObject({
  message: z.string().optional(),
  type: z.string().optional(),
  code: z.number().int(),
  error_subcode: z.number().int().optional(),
  error_user_title: z.string().optional(),
  error_user_msg: z.string().optional(),
  // An object for WhatsApp errors; some older Graph endpoints send a JSON string here.
  error_data: z
    .union([
      z.looseObject({ messaging_product: z.string().optional(), details: z.string().optional() }),
      z.string(),
    ])
    .optional(),
  is_transient: z.boolean().optional(),
  fbtrace_id: z.string().optional(),
});
export type GraphErrorBody = z.infer<typeof graphErrorBodySchema>;

export const graphErrorEnvelopeSchema = z.looseObject({ error: graphErrorBodySchema });
export type GraphErrorEnvelope = z.infer<typeof graphErrorEnvelopeSchema>;

/**
 * - `auth`: the token is invalid, expired or revoked — reconnect the tenant.
 * - `permission`: the token lacks a permission or the asset is not shared with the app.
 * - `rate_limit`: a throughput, pair-rate or call-count limit — back off and retry.
 * - `transient`: Meta is down or busy, the network failed, or the call timed out — retry.
 * - `permanent`: the request itself is wrong or not allowed (window closed, bad template...) — do not retry.
 */
export type GraphErrorCategory = 'auth' | 'permission' | 'rate_limit' | 'transient' | 'permanent';

const AUTH_CODES = new Set([0, 102, 190]);
const PERMISSION_CODES = new Set([3, 10]);
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80007, 130429, 131048, 131056]);
// 1/2: Graph's "unknown"/"service" errors, documented as temporary. 131000: "something went wrong".
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016, 131057, 133004]);

// Listed so that a 5xx carrying one of these codes is still never retried.
const KNOWN_PERMANENT_CODES = new Set([
  100, 368, 130472, 130497, 131008, 131009, 131021, 131026, 131031, 131037, 131042, 131045, 131047, 131049,
  131050, 131051, 131052, 131053, 133000, 133005, 133006, 133008, 133009, 133010, 133015, 133016,
]);

/** Classifies a Graph error by Meta's code; the HTTP status only decides when the code is unknown. */
export function classifyGraphError(
  code: number | undefined,
  httpStatus?: number,
  isTransient?: boolean,
): GraphErrorCategory {
  if (code !== undefined) {
    if (AUTH_CODES.has(code)) return 'auth';
    if (PERMISSION_CODES.has(code) || (code >= 200 && code <= 299)) return 'permission';
    if (RATE_LIMIT_CODES.has(code)) return 'rate_limit';
    if (TRANSIENT_CODES.has(code)) return 'transient';
    if (KNOWN_PERMANENT_CODES.has(code) || (code >= 132000 && code < 133000)) return 'permanent';
  }
  if (isTransient === true) return 'transient';
  if (httpStatus === 429) return 'rate_limit';
  if (httpStatus === undefined || httpStatus >= 500) return 'transient';
  if (httpStatus === 401) return 'auth';
  if (httpStatus === 403) return 'permission';
  return 'permanent';
}

export function isRetryableCategory(category: GraphErrorCategory): boolean {
  return category === 'rate_limit' || category === 'transient';
}

/**
 * Base of every error the Graph client throws. Messages and fields never contain access tokens, app
 * secrets or authorization codes: the client redacts them before an error is built.
 */
export abstract class GraphError extends Error {
  abstract readonly category: GraphErrorCategory;
  /** HTTP method and path of the call (with the API version, without the query string). */
  readonly method: string;
  readonly path: string;

  constructor(message: string, method: string, path: string) {
    super(message);
    this.method = method;
    this.path = path;
  }

  get retryable(): boolean {
    return isRetryableCategory(this.category);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, category: this.category, retryable: this.retryable };
  }
}

/** Meta answered with an error (its envelope, or a non-2xx status without one). */
export class GraphApiError extends GraphError {
  override readonly name = 'GraphApiError';
  readonly category: GraphErrorCategory;
  readonly httpStatus: number;
  /** Meta's `error.code`; undefined when the response carried no error envelope. */
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  readonly type: string | undefined;
  /** Meta's `error.message`, redacted. */
  readonly metaMessage: string | undefined;
  /** `error.error_data.details`: the most specific explanation Meta gives. */
  readonly details: string | undefined;
  readonly userTitle: string | undefined;
  readonly userMessage: string | undefined;
  readonly fbtraceId: string | undefined;

  constructor(init: {
    method: string;
    path: string;
    httpStatus: number;
    body?: GraphErrorBody;
    redact: (text: string) => string;
  }) {
    const { body, redact } = init;
    const metaMessage = body?.message === undefined ? undefined : redact(body.message);
    const details =
      typeof body?.error_data === 'object' && body.error_data.details !== undefined
        ? redact(body.error_data.details)
        : undefined;
    const label = body
      ? `code ${body.code}${body.error_subcode ? `/${body.error_subcode}` : ''}`
      : 'no error body';
    const text = [metaMessage, details].filter(Boolean).join(' — ');
    super(
      `Graph API ${init.method} ${init.path} failed (HTTP ${init.httpStatus}, ${label})${text ? `: ${text}` : ''}`,
      init.method,
      init.path,
    );
    this.httpStatus = init.httpStatus;
    this.code = body?.code;
    this.subcode = body?.error_subcode;
    this.type = body?.type;
    this.metaMessage = metaMessage;
    this.details = details;
    this.userTitle = body?.error_user_title === undefined ? undefined : redact(body.error_user_title);
    this.userMessage = body?.error_user_msg === undefined ? undefined : redact(body.error_user_msg);
    this.fbtraceId = body?.fbtrace_id;
    this.category = classifyGraphError(body?.code, init.httpStatus, body?.is_transient);
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      method: this.method,
      path: this.path,
      httpStatus: this.httpStatus,
      code: this.code,
      subcode: this.subcode,
      type: this.type,
      details: this.details,
      fbtraceId: this.fbtraceId,
    };
  }
}

/**
 * The call never got a complete answer: connection refused or reset, DNS failure, or timeout. Always
 * transient — but a send may still have reached Meta, so retry sends only with that in mind.
 */
export class GraphNetworkError extends GraphError {
  override readonly name = 'GraphNetworkError';
  readonly category = 'transient' as const;
  readonly timedOut: boolean;
  /** The system error code when there is one (ECONNREFUSED, ECONNRESET, ENOTFOUND, UND_ERR_SOCKET...). */
  readonly errorCode: string | undefined;

  constructor(init: { method: string; path: string; timedOut: boolean; errorCode?: string; reason: string }) {
    super(
      `Graph API ${init.method} ${init.path} ${init.timedOut ? 'timed out' : 'network error'}: ${init.reason}`,
      init.method,
      init.path,
    );
    this.timedOut = init.timedOut;
    this.errorCode = init.errorCode;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      method: this.method,
      path: this.path,
      timedOut: this.timedOut,
      errorCode: this.errorCode,
    };
  }
}

/**
 * Meta answered 2xx but the body did not have the documented shape. Not retried: the call may have
 * taken effect (a message may have been sent).
 */
export class GraphResponseError extends GraphError {
  override readonly name = 'GraphResponseError';
  readonly category = 'permanent' as const;
  readonly httpStatus: number;

  constructor(init: { method: string; path: string; httpStatus: number; problem: string }) {
    super(
      `Graph API ${init.method} ${init.path} returned an unexpected response: ${init.problem}`,
      init.method,
      init.path,
    );
    this.httpStatus = init.httpStatus;
  }
}
