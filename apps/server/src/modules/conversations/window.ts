/** Meta's customer-service window: 24 hours from the customer's last message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 3600 * 1000;

export type WindowState = { open: true; closesAt: Date } | { open: false; closedAt: Date | null };

/**
 * Whether free-form (non-template) messages may be sent now. The one function every module asks,
 * so the inbox, the send path and campaigns agree to the millisecond.
 */
export function customerServiceWindow(
  lastInboundAt: Date | null | undefined,
  now: Date = new Date(),
  windowMs: number = CUSTOMER_SERVICE_WINDOW_MS,
): WindowState {
  if (!lastInboundAt) return { open: false, closedAt: null };
  const closes = new Date(lastInboundAt.getTime() + windowMs);
  return closes.getTime() > now.getTime()
    ? { open: true, closesAt: closes }
    : { open: false, closedAt: closes };
}
