/**
 * WhatsApp's customer-service window: a customer's message opens (or refreshes) 24 hours in
 * which any message may be sent; outside it only an approved template (Meta answers 131047).
 * @default 24 hours
 */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface CustomerServiceWindow {
  isOpen: boolean;
  /** When the window closes (or closed); null when the customer has never written. */
  closesAt: Date | null;
}

export function customerServiceWindow(lastInboundAt: Date | null, now = new Date()): CustomerServiceWindow {
  if (!lastInboundAt) return { isOpen: false, closesAt: null };
  const closesAt = new Date(lastInboundAt.getTime() + CUSTOMER_SERVICE_WINDOW_MS);
  return { isOpen: closesAt > now, closesAt };
}
