import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type ErrorBody = components['schemas']['Error'];
export type FieldErrors = Record<string, string>;

/** A failed call: the server's error body, typed, plus the HTTP status (0 when the network failed). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly details: readonly { path: string; message: string }[];

  constructor(status: number, body: ErrorBody['error'] | undefined, fallback = 'Something went wrong') {
    super(body?.message ?? fallback);
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.code ?? (status === 0 ? 'network' : 'unknown');
    this.requestId = body?.requestId;
    this.details = body?.details ?? [];
  }

  /** Field messages keyed by the body field (`body.email` → `email`), to show next to inputs. */
  get fields(): FieldErrors {
    const fields: FieldErrors = {};
    for (const detail of this.details) {
      const key = detail.path.replace(/^(body|querystring|params)\.?/, '') || '_';
      fields[key] ??= detail.message;
    }
    return fields;
  }
}

let csrfToken: string | null = null;

/** Remember the token from log-in, sign-up or /auth/me; the readable cookie is the fallback. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

function currentCsrfToken(): string | null {
  if (csrfToken) return csrfToken;
  const match = document.cookie.match(/(?:^|;\s*)owaba_csrf=([^;]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const csrf: Middleware = {
  onRequest({ request }) {
    const token = currentCsrfToken();
    if (UNSAFE.has(request.method) && token) request.headers.set('X-CSRF-Token', token);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(csrf);

type Result<T> = { data?: T; error?: unknown; response: Response };

/**
 * Awaits an openapi-fetch call and returns its data, or throws an ApiError carrying the error body.
 * `api.GET(...)` stays fully typed; this only changes how failure is reported.
 */
export async function call<T>(request: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await request;
  } catch {
    throw new ApiError(0, undefined, 'Cannot reach the server. Check your connection and try again.');
  }
  if (result.response.ok) return result.data as T;
  const body = isErrorBody(result.error) ? result.error.error : undefined;
  throw new ApiError(result.response.status, body);
}

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === 'object' && value !== null && 'error' in value;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}
