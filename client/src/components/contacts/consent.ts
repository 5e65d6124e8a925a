/** How a contact's marketing consent reads, in the inbox and on the contact page. */
export const CONSENT_LABELS = {
  UNKNOWN: "Marketing: not asked",
  OPTED_IN: "Marketing: opted in",
  OPTED_OUT: "Marketing: opted out",
} as const;

export type ConsentState = keyof typeof CONSENT_LABELS;
