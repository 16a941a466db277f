/** Meta's customer-service window: 24 hours from the customer's last message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 3600 * 1000;

let configuredWindowMs = CUSTOMER_SERVICE_WINDOW_MS;

/**
 * The window length in force: Meta's 24 hours unless `CUSTOMER_SERVICE_WINDOW_SECONDS` shortened it
 * (end-to-end tests and demos only, so the window can lapse while someone watches).
 */
export function customerServiceWindowMs(): number {
  return configuredWindowMs;
}

/** Set once at boot from the configuration. */
export function setCustomerServiceWindowMs(ms: number): void {
  configuredWindowMs = ms;
}

export type WindowState = { open: true; closesAt: Date } | { open: false; closedAt: Date | null };

/**
 * Whether free-form (non-template) messages may be sent now. The one function every module asks,
 * so the inbox, the send path and campaigns agree to the millisecond.
 */
export function customerServiceWindow(
  lastInboundAt: Date | null | undefined,
  now: Date = new Date(),
  windowMs: number = configuredWindowMs,
): WindowState {
  if (!lastInboundAt) return { open: false, closedAt: null };
  const closes = new Date(lastInboundAt.getTime() + windowMs);
  return closes.getTime() > now.getTime()
    ? { open: true, closesAt: closes }
    : { open: false, closedAt: closes };
}
