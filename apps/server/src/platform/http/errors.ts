import { z } from 'zod';

/**
 * One error model for the whole API. Every error body is `{error:{code,message,requestId}}` (plus
 * `details` for validation problems); the HTTP status comes from this table, never from the caller.
 * Modules add their own codes here so the table stays the single source of truth.
 */
export const errorStatus = {
  validation_failed: 400,
  bad_request: 400,
  invalid_token: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_signature: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  already_exists: 409,
  idempotency_conflict: 409,
  last_owner: 409,
  plan_limit_reached: 409,
  phone_number_taken: 409,
  waba_taken: 409,
  onboarding_in_progress: 409,
  scope_mismatch: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  plan_rate_limited: 429,
  idempotency_in_progress: 409,
  // Sending: each pre-send check has its own code (messages module).
  channel_not_found: 404,
  channel_not_connected: 409,
  channel_needs_reauth: 409,
  contact_not_found: 404,
  invalid_recipient: 422,
  contact_opted_out: 422,
  marketing_opted_out: 422,
  contact_held: 422,
  outside_service_window: 422,
  reply_target_not_found: 422,
  template_not_found: 422,
  template_not_approved: 422,
  template_parameters_invalid: 422,
  template_invalid: 422,
  // Billing and template governance (billing module).
  insufficient_balance: 402,
  tier_limit_reached: 409,
  template_paused: 422,
  // Inbox (conversations module).
  assignee_not_member: 422,
  internal: 500,
  upstream_failed: 502,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = errorStatus[code];
  }
}

export const notFound = (what = 'Resource') => new AppError('not_found', `${what} not found`);

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      requestId: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBodySchema>;

export function errorBody(
  code: ErrorCode,
  message: string,
  requestId: string,
  details?: ErrorDetail[],
): ErrorBody {
  return { error: { code, message, requestId, ...(details && details.length > 0 ? { details } : {}) } };
}

/** The standard error responses, spread into every route's `response` schema. */
export const standardErrors = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  422: errorBodySchema,
  429: errorBodySchema,
  500: errorBodySchema,
} as const;
