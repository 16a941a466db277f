import { GraphApiError, GraphError, GraphNetworkError } from '@openwaba/cloud-api';
import type { MessageError } from './messages.tables.js';

/** Readable reasons for Meta's send errors, shown to agents and API callers beside Meta's code. */
const REASONS: Record<number, string> = {
  0: 'The WhatsApp access token is not valid; reconnect the number',
  190: 'The WhatsApp access token expired or was revoked; reconnect the number',
  4: 'Too many calls to Meta; retried later',
  80007: 'The WhatsApp account hit its rate limit; retried later',
  130429: "The number's throughput limit was reached; retried later",
  131056: 'Too many messages to this customer in a short time; retried later',
  131048: 'Meta limited sending for spam risk; retried later',
  131016: 'WhatsApp is temporarily overloaded; retried later',
  131000: 'Something went wrong at Meta; retried later',
  131026: 'The message could not be delivered (the number may not use WhatsApp, or has an old app)',
  131047: 'More than 24 hours since the customer last wrote: only templates may be sent',
  131049: "Meta did not deliver this marketing message to keep the customer's experience healthy",
  131050: 'The customer stopped marketing messages from this business',
  131051: 'This message type is not supported',
  131052: 'The media could not be downloaded from the sender',
  131053: 'The media could not be uploaded (type or size not allowed)',
  131031: 'The WhatsApp account is locked or restricted',
  368: 'The WhatsApp account is temporarily blocked for policy violations',
  132000: 'The number of template parameters does not match the template',
  132001: 'The template does not exist in this language or is not approved',
  132005: 'The filled-in template text is too long',
  132007: 'The template content breaks WhatsApp policy',
  132012: 'A template parameter has the wrong format',
  132015: 'The template is paused for low quality',
  132016: 'The template is disabled for low quality',
  100: 'Meta refused a parameter of the message',
  131009: 'A parameter value is not valid',
  131021: 'The recipient is the sending number itself',
  133010: 'The phone number is not registered with the Cloud API',
};

export function readableReason(code: number, fallback?: string): string {
  return REASONS[code] ?? fallback ?? `Meta refused the message (code ${code})`;
}

/**
 * What the worker does after a failed Graph call:
 * - retry: nothing reached Meta (or Meta asked to back off); try again later.
 * - unknown: the call may have reached Meta (timeout, connection reset); never re-sent blindly.
 * - reauth: the token is dead (190): fail and mark the channel.
 * - permanent: fail now with Meta's code.
 */
export type FailureClass =
  | { kind: 'retry'; error: MessageError; pairRate: boolean; breaker: boolean }
  | { kind: 'unknown'; error: MessageError; breaker: true }
  | { kind: 'reauth'; error: MessageError }
  | { kind: 'permanent'; error: MessageError };

const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function classifySendFailure(error: unknown): FailureClass {
  if (error instanceof GraphApiError) {
    const code = error.code ?? 0;
    const messageError: MessageError = {
      code,
      title: error.userTitle,
      message: error.metaMessage,
      details: error.details,
      reason: readableReason(code, error.details),
    };
    if (error.category === 'auth') return { kind: 'reauth', error: messageError };
    if (error.retryable) {
      return {
        kind: 'retry',
        error: messageError,
        pairRate: code === 131056,
        breaker: error.httpStatus >= 500,
      };
    }
    return { kind: 'permanent', error: messageError };
  }
  if (error instanceof GraphNetworkError) {
    const messageError: MessageError = { code: 0, message: error.message, reason: 'Meta did not answer' };
    if (!error.timedOut && error.errorCode && NOT_CONNECTED.has(error.errorCode)) {
      return { kind: 'retry', error: messageError, pairRate: false, breaker: true };
    }
    return { kind: 'unknown', error: messageError, breaker: true };
  }
  if (error instanceof GraphError) {
    // A 2xx with an unexpected body: Meta may have sent it.
    return {
      kind: 'unknown',
      error: { code: 0, message: error.message, reason: 'Unexpected answer from Meta' },
      breaker: true,
    };
  }
  throw error;
}
