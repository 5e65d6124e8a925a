/** How a customer's identifiers show where a name is missing. */
export interface CustomerIds {
  waId: string | null;
  userId: string | null;
  username: string | null;
}

/** Their number (E.164) when known; else their @username; else their business-scoped user ID. */
export function customerLabel(customer: CustomerIds): string {
  if (customer.waId) return `+${customer.waId}`;
  if (customer.username) return `@${customer.username}`;
  return customer.userId ?? "Unknown customer";
}
