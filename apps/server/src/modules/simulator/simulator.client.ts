import { AppError } from '../../platform/http/errors.js';

/**
 * The in-process Graph API simulator's control API (`/_sim/…`), as the platform calls it on the
 * browser's behalf. Only its own port on loopback is ever reached; answers are passed on as AppErrors.
 */

export interface SimCustomer {
  wa_id: string;
  name: string;
}

export interface SimReceived {
  id: string;
  phone_number_id: string;
  type: string;
  status: string;
  received_at: string;
  [type: string]: unknown;
}

export interface SimSent {
  id: string;
  phone_number_id: string;
  type: string;
  sent_at: string;
  read_by_business: boolean;
  [type: string]: unknown;
}

export interface SimSignup {
  code: string;
  business_id: string;
  waba_id: string;
  phone_number_id: string;
}

export type SimControl = ReturnType<typeof simControl>;

export function simControl(baseUrl: string) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new AppError('unavailable', 'The Graph API simulator is not reachable');
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : {};
    if (response.ok) return parsed as T;
    const message =
      (parsed as { error?: { message?: string } }).error?.message ?? `simulator answered ${response.status}`;
    if (response.status === 404) throw new AppError('not_found', capitalise(message));
    if (response.status < 500) throw new AppError('bad_request', capitalise(message));
    throw new AppError('upstream_failed', `The simulator failed: ${message}`);
  }

  const customerPath = (waId: string) => `/_sim/customers/${encodeURIComponent(waId)}`;
  return {
    customers: () => call<{ data: SimCustomer[] }>('GET', '/_sim/customers'),
    createCustomer: (body: { wa_id?: string; name: string; auto_read: boolean }) =>
      call<SimCustomer>('POST', '/_sim/customers', body),
    messages: (waId: string) =>
      call<{ received: SimReceived[]; sent: SimSent[] }>('GET', `${customerPath(waId)}/messages`),
    send: (waId: string, body: Record<string, unknown>) =>
      call<{ message: { id: string } }>('POST', `${customerPath(waId)}/send`, body),
    read: (waId: string, phoneNumberId: string) =>
      call<{ read: string[] }>('POST', `${customerPath(waId)}/read`, { phone_number_id: phoneNumberId }),
    signup: (body: Record<string, string>) => call<SimSignup>('POST', '/_sim/signup/complete', body),
    /** A code for assets that exist already (signing up again to reconnect them). */
    signupCode: (body: { app_id: string; business_id: string; waba_id: string; phone_number_id: string }) =>
      call<SimSignup>('POST', '/_sim/signup/code', body),
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
