/**
 * Meta's messaging limit, as the simulator enforces it for numbers told to (control API
 * `POST /numbers/{id}/messaging-limit`): business-initiated messages (outside the customer's
 * 24-hour window) may reach at most the tier's number of unique customers in a moving 24 hours,
 * counted across the numbers of one business account (the simulator's stand-in for a portfolio).
 * A customer already reached in the window may be messaged again.
 *
 * Meta documents no error code of its own for passing the limit; its tier documentation says such
 * messages fail with "Message failed to send because there are restrictions on how many messages
 * can be sent from this phone number…", the wording of 131048. The simulator answers that code
 * with details that name the limit, so tests can tell it from a spam restriction by its details.
 */
import { graphError, type GraphErrorAnswer } from "./meta-errors.ts";
import type { SimulatedNumber, SimulatorState } from "./state.ts";
import { limitOfTier } from "../whatsapp/messaging-limit-tiers.ts";

const WINDOW_MS = 24 * 60 * 60 * 1000;
export const MESSAGING_LIMIT_CODE = 131048;

/** The customers the business account reached business-initiated, still in the window. */
function reachedBy(state: SimulatorState, businessAccountId: string, now: number): Map<string, number> {
  let reached = state.reachedByAccount.get(businessAccountId);
  if (!reached) state.reachedByAccount.set(businessAccountId, (reached = new Map()));
  for (const [customer, at] of reached) if (at <= now - WINDOW_MS) reached.delete(customer);
  return reached;
}

/** Meta's refusal when this business-initiated message would reach one customer too many. */
export function messagingLimitRefusal(state: SimulatorState, number: SimulatedNumber | undefined, customer: string, now: number): GraphErrorAnswer | null {
  if (!number?.enforceMessagingLimit) return null;
  const limit = limitOfTier(number.messagingLimitTier) ?? Number.POSITIVE_INFINITY;
  const reached = reachedBy(state, number.businessAccountId, now);
  if (reached.has(customer) || reached.size < limit) return null;
  return graphError(MESSAGING_LIMIT_CODE, {
    details: `Message failed to send because there are restrictions on how many messages can be sent from this phone number: the business reached its messaging limit of ${limit} unique customers in 24 hours (${number.messagingLimitTier}).`,
  });
}

/** Counts a business-initiated message the simulator accepted. */
export function recordBusinessInitiated(state: SimulatorState, number: SimulatedNumber | undefined, customer: string, now: number) {
  if (!number?.enforceMessagingLimit) return;
  const reached = reachedBy(state, number.businessAccountId, now);
  if (!reached.has(customer)) reached.set(customer, now);
}
