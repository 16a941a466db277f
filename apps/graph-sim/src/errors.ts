import { randomBytes } from 'node:crypto';

/**
 * Meta's error envelope and the codes the simulator produces. Titles follow Meta's error-code table;
 * `details` carries the specific reason as Meta does in `error_data.details`.
 */
export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    error_subcode?: number;
    is_transient?: boolean;
    error_user_title?: string;
    error_user_msg?: string;
    fbtrace_id: string;
  };
}

interface CodeInfo {
  title: string;
  /** Meta's `details` text for the code (error-codes reference), when the raiser gives none. */
  details?: string;
  /** Cloud API (1xxxxx) errors carry `error_data`; classic Graph errors do not. */
  cloud: boolean;
  httpStatus?: number;
  type?: string;
}

export const ERROR_CODES: Record<number, CodeInfo> = {
  1: { title: 'An unknown error occurred', cloud: false, httpStatus: 500 },
  2: { title: 'Service temporarily unavailable', cloud: false, httpStatus: 503 },
  4: { title: 'Application request limit reached', cloud: false },
  10: { title: 'Application does not have permission for this action', cloud: false, httpStatus: 403 },
  100: { title: 'Invalid parameter', cloud: true },
  190: { title: 'Invalid OAuth access token - Cannot parse access token', cloud: false, httpStatus: 401 },
  200: { title: 'Permissions error', cloud: false, httpStatus: 403 },
  368: { title: 'Temporarily blocked for policies violations', cloud: true },
  2500: { title: 'Unknown path components', cloud: false },
  80007: { title: 'Rate limit issues', cloud: true },
  130429: {
    title: 'Rate limit hit',
    details: 'Cloud API message throughput has been reached.',
    cloud: true,
  },
  130472: { title: "User's number is part of an experiment", cloud: true },
  131000: {
    title: 'Something went wrong',
    details: 'Message failed to send due to an unknown error.',
    cloud: true,
    httpStatus: 500,
  },
  131005: { title: 'Access denied', cloud: true, httpStatus: 403 },
  131008: {
    title: 'Required parameter is missing',
    details: 'The request is missing a required parameter.',
    cloud: true,
  },
  131009: {
    title: 'Parameter value is not valid',
    details: 'One or more parameter values are invalid.',
    cloud: true,
  },
  131021: { title: 'Recipient cannot be sender', cloud: true },
  131026: { title: 'Message undeliverable', cloud: true },
  131031: { title: 'Account has been locked', cloud: true },
  131047: { title: 'Re-engagement message', cloud: true },
  131048: { title: 'Spam rate limit hit', cloud: true },
  131049: {
    title: 'This message was not delivered to maintain healthy ecosystem engagement.',
    details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
    cloud: true,
  },
  131050: {
    title:
      'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business',
    cloud: true,
  },
  131051: { title: 'Message type unknown', cloud: true },
  131052: { title: 'Media download error', cloud: true },
  131053: { title: 'Media upload error', cloud: true },
  131056: {
    title: '(Business Account, Consumer Account) pair rate limit hit',
    details:
      'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.',
    cloud: true,
  },
  131057: { title: 'Account in maintenance mode', cloud: true },
  132000: {
    title: 'Number of parameters does not match the expected number of params',
    details:
      'The number of variable parameter values included in the request did not match the number of variable parameters defined in the template.',
    cloud: true,
  },
  132001: {
    title: 'Template name does not exist in the translation',
    details: 'The template does not exist in the specified language or the template has not been approved.',
    cloud: true,
  },
  132005: { title: 'Translated text too long', cloud: true },
  132007: { title: 'Template format character policy violated', cloud: true },
  132012: { title: 'Parameter format does not match format in the created template', cloud: true },
  132015: { title: 'Template is paused', cloud: true },
  132016: { title: 'Template is disabled', cloud: true },
  133005: { title: 'Two step verification PIN mismatch', cloud: true },
  133010: { title: 'Phone number not registered', cloud: true },
  133016: { title: 'Account register deregister rate limit exceeded', cloud: true },
};

export function titleOf(code: number): string {
  return ERROR_CODES[code]?.title ?? 'Unknown error';
}

/** Meta's documented `details` for a code, else its title (what Meta's webhooks repeat most often). */
export function detailsOf(code: number): string {
  return ERROR_CODES[code]?.details ?? titleOf(code);
}

export function fbtraceId(): string {
  return randomBytes(8).toString('base64url').slice(0, 11);
}

export interface GraphErrorInit {
  code: number;
  details?: string;
  subcode?: number;
  message?: string;
  type?: string;
  httpStatus?: number;
  transient?: boolean;
  userTitle?: string;
  userMsg?: string;
  /** A Graph-level (non-WhatsApp) error: no `error_data`, whatever the code. */
  graphLevel?: boolean;
}

/** Thrown by handlers; the server's error handler turns it into Meta's envelope. */
export class GraphError extends Error {
  readonly init: GraphErrorInit;
  constructor(init: GraphErrorInit) {
    // Meta's 190 reads "Invalid OAuth access token - Cannot parse access token", without the `(#190)` prefix.
    super(init.message ?? (init.code === 190 ? titleOf(190) : `(#${init.code}) ${titleOf(init.code)}`));
    this.init = init;
  }

  get httpStatus(): number {
    return this.init.httpStatus ?? ERROR_CODES[this.init.code]?.httpStatus ?? 400;
  }

  /**
   * Keys are inserted in the order Meta writes them (message, type, code, error_data, error_subcode,
   * ..., fbtrace_id): JSON.stringify keeps insertion order, and recorded bodies compare byte for byte.
   */
  toBody(): GraphErrorBody {
    const { code, details, subcode, type, transient, userTitle, userMsg, graphLevel } = this.init;
    const info = ERROR_CODES[code];
    const error: Partial<GraphErrorBody['error']> = {
      message: this.message,
      type: type ?? info?.type ?? 'OAuthException',
      code,
    };
    if (!graphLevel && (info?.cloud || details)) {
      error.error_data = { messaging_product: 'whatsapp', details: details ?? detailsOf(code) };
    }
    if (subcode !== undefined) error.error_subcode = subcode;
    if (transient) error.is_transient = true;
    if (userTitle) error.error_user_title = userTitle;
    if (userMsg) error.error_user_msg = userMsg;
    error.fbtrace_id = fbtraceId();
    return { error: error as GraphErrorBody['error'] };
  }
}

export const invalidParam = (details: string): GraphError => new GraphError({ code: 100, details });
export const missingParam = (details: string): GraphError => new GraphError({ code: 131008, details });
export const badValue = (details: string): GraphError => new GraphError({ code: 131009, details });

/** The error Graph gives for an id that does not exist or that the token may not see. */
export function unsupportedRequest(method: string, id: string): GraphError {
  return new GraphError({
    code: 100,
    subcode: 33,
    type: 'GraphMethodException',
    graphLevel: true,
    message:
      `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded ` +
      'due to missing permissions, or does not support this operation. Please read the Graph API ' +
      'documentation at https://developers.facebook.com/docs/graph-api',
  });
}

/** The shape of an error inside a webhook (`statuses[].errors[]`, `messages[].errors[]`). */
export function webhookError(code: number, details?: string): Record<string, unknown> {
  const title = titleOf(code);
  return {
    code,
    title,
    message: title,
    error_data: { details: details ?? detailsOf(code) },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}
