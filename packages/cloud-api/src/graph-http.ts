import { createHmac } from 'node:crypto';
import { request as undiciRequest } from 'undici';
import type { z } from 'zod';
import { GraphApiError, GraphNetworkError, GraphResponseError, graphErrorEnvelopeSchema } from './errors.js';
import { formatIssues } from './schema-helpers.js';

/**
 * The HTTP layer under `GraphClient`: builds versioned URLs, applies the timeout to the whole exchange
 * (headers and body), maps failures to `GraphError`s, validates answers, and keeps every secret of the
 * call (token, app secret, code) out of the errors it builds.
 */

export interface GraphHttpOptions {
  /** e.g. `https://graph.facebook.com` or a simulator's `http://127.0.0.1:4010`. */
  baseUrl: string;
  /** e.g. `v23.0`. */
  version: string;
  /** Applies to connecting, waiting and reading the body. Default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /**
   * When set, each call made with an access token carries `appsecret_proof`, which Meta requires for
   * apps with "Require App Secret" enabled.
   */
  appSecret?: string;
}

export type QueryValue = string | number | boolean | undefined;

export interface GraphRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path after the version, starting with `/`. Build id segments with `segment()`. */
  path: string;
  accessToken?: string;
  query?: Record<string, QueryValue>;
  json?: unknown;
  form?: FormData;
  /** Other secret values of this call (client secret, code, app token) to redact from errors. */
  secrets?: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 30_000;
const USER_AGENT = 'OpenWABA-cloud-api/0.1';

/** Encodes one path segment; rejects empty ids so `/undefined/messages` can never be called. */
export function segment(id: string): string {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError('Graph id must be a non-empty string');
  return encodeURIComponent(id);
}

export class GraphHttp {
  private readonly base: string;
  private readonly version: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly customFetch: boolean;
  private readonly appSecret: string | undefined;

  constructor(options: GraphHttpOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) throw new TypeError('baseUrl must be an http(s) URL');
    if (!/^v\d+\.\d+$/.test(options.version)) throw new TypeError('version must look like v23.0');
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.version = options.version;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.customFetch = options.fetch !== undefined;
    this.appSecret = options.appSecret;
  }

  /** The path as it appears in errors: with the version, without the query string. */
  versionedPath(path: string): string {
    return `/${this.version}${path}`;
  }

  /** Sends a Graph call and returns its JSON body validated by `schema`. */
  async request<S extends z.ZodType>(req: GraphRequest, schema: S): Promise<z.output<S>> {
    const path = this.versionedPath(req.path);
    const secrets = [...(req.secrets ?? []), ...(req.accessToken ? [req.accessToken] : [])];
    if (this.appSecret && req.accessToken) secrets.push(this.appSecret);
    const redact = redactor(secrets);

    const url = new URL(this.base + path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': USER_AGENT };
    if (req.accessToken) {
      headers.Authorization = `Bearer ${req.accessToken}`;
      if (this.appSecret) {
        url.searchParams.set(
          'appsecret_proof',
          createHmac('sha256', this.appSecret).update(req.accessToken).digest('hex'),
        );
      }
    }
    let body: string | FormData | undefined;
    if (req.form) {
      body = req.form; // fetch sets the multipart boundary itself
    } else if (req.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(req.json);
    }

    const { status, text } = await this.exchange(
      url,
      { method: req.method, headers, body },
      req.method,
      path,
      redact,
    );
    return parseAnswer(status, text, schema, req.method, path, redact);
  }

  /**
   * Downloads a media URL returned by `GET /{media-id}` with the bearer token. The URL points at Meta's
   * CDN (or the simulator), not at the Graph base URL.
   */
  async download(
    absoluteUrl: string,
    accessToken: string,
  ): Promise<{ data: Uint8Array; contentType: string | undefined }> {
    const url = new URL(absoluteUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new TypeError('media URL must be http(s)');
    const redact = redactor([accessToken]);
    const label = url.pathname;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await this.fetchImpl(url, {
        method: 'GET',
        headers: { Authorization: `Bearer ${accessToken}`, 'User-Agent': USER_AGENT },
        signal: controller.signal,
      });
      const buffer = new Uint8Array(await response.arrayBuffer());
      if (!response.ok) {
        const envelope = safeJson(new TextDecoder().decode(buffer));
        const parsed = graphErrorEnvelopeSchema.safeParse(envelope);
        throw new GraphApiError({
          method: 'GET',
          path: label,
          httpStatus: response.status,
          body: parsed.success ? parsed.data.error : undefined,
          redact,
        });
      }
      return { data: buffer, contentType: response.headers.get('content-type') ?? undefined };
    } catch (error) {
      throw toGraphError(error, controller.signal.aborted, 'GET', label, redact);
    } finally {
      clearTimeout(timer);
    }
  }

  private async exchange(
    url: URL,
    init: { method: string; headers: Record<string, string>; body: string | FormData | undefined },
    method: string,
    path: string,
    redact: (text: string) => string,
  ): Promise<{ status: number; text: string }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      // Read inside the timeout too: a server that sends headers and then stalls must not hang a worker.
      if (this.customFetch || typeof init.body === 'object') {
        const response = await this.fetchImpl(url, { ...init, signal: controller.signal });
        return { status: response.status, text: await response.text() };
      }
      // JSON calls (every send) go through undici's request API: the same HTTP client as Node's fetch
      // without its web-streams layer, which costs a send worker a large share of its CPU.
      const response = await undiciRequest(url, {
        method: init.method as 'GET' | 'POST' | 'DELETE',
        headers: init.headers,
        body: init.body,
        signal: controller.signal,
      });
      return { status: response.statusCode, text: await response.body.text() };
    } catch (error) {
      throw toGraphError(error, controller.signal.aborted, method, path, redact);
    } finally {
      clearTimeout(timer);
    }
  }
}

function parseAnswer<S extends z.ZodType>(
  status: number,
  text: string,
  schema: S,
  method: string,
  path: string,
  redact: (text: string) => string,
): z.output<S> {
  const json = safeJson(text);
  const envelope = graphErrorEnvelopeSchema.safeParse(json);
  // Graph occasionally answers an error with 200; the envelope wins over the status.
  if (envelope.success) {
    throw new GraphApiError({ method, path, httpStatus: status, body: envelope.data.error, redact });
  }
  if (status < 200 || status >= 300) throw new GraphApiError({ method, path, httpStatus: status, redact });
  if (json === undefined) {
    throw new GraphResponseError({ method, path, httpStatus: status, problem: 'body is not JSON' });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new GraphResponseError({
      method,
      path,
      httpStatus: status,
      problem: redact(formatIssues(result.error)),
    });
  }
  return result.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toGraphError(
  error: unknown,
  aborted: boolean,
  method: string,
  path: string,
  redact: (text: string) => string,
): Error {
  if (error instanceof GraphApiError || error instanceof GraphResponseError) return error;
  if (aborted) {
    return new GraphNetworkError({
      method,
      path,
      timedOut: true,
      reason: 'no complete answer within the timeout',
    });
  }
  // fetch rejects with TypeError('fetch failed') and puts the system error in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const errorCode = systemErrorCode(cause) ?? systemErrorCode(error);
  const reason = redact(cause?.message ?? (error instanceof Error ? error.message : String(error)));
  return new GraphNetworkError({ method, path, timedOut: false, errorCode, reason });
}

function systemErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** Replaces every secret (raw and URL-encoded) and any `access_token=` style query value. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    needles.add(secret);
    needles.add(encodeURIComponent(secret));
    // An app token `APP_ID|APP_SECRET` also leaks its secret half on its own.
    const pipe = secret.indexOf('|');
    if (pipe >= 0 && secret.length - pipe > 4) needles.add(secret.slice(pipe + 1));
  }
  const ordered = [...needles].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const needle of ordered) out = out.split(needle).join('[redacted]');
    return (
      out
        .replace(
          /\b(access_token|client_secret|input_token|appsecret_proof|code)=[^&\s"']+/g,
          '$1=[redacted]',
        )
        // Meta user and system-user tokens start with EAA; catch ones this call did not know about.
        .replace(/\bEAA[A-Za-z0-9]{16,}/g, '[redacted]')
    );
  };
}
