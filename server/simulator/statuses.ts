/** Status webhooks for an accepted message: sent → delivered → read, or failed, per the status mode. */
import { isBsuid } from "../whatsapp/customer-id.ts";
import type { StatusUpdate } from "../whatsapp/webhook.ts";
import { webhookError } from "./meta-errors.ts";
import type { Scheduler, SentMessage, SimulatorState } from "./state.ts";
import { messagesEnvelope, type WebhookSender } from "./webhooks.ts";

export interface StatusContext {
  state: SimulatorState;
  scheduler: Scheduler;
  sender: WebhookSender;
  businessAccountId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}

export interface Billing {
  /** service, utility, marketing or authentication. */
  category: string;
  /** Conversation objects are sent up to Graph v23 only (Meta dropped them from v24). */
  withConversation: boolean;
}

type Reported = "sent" | "delivered" | "read" | "failed";

/**
 * Plans the status webhooks for a message accepted now. `failureCode` reports a `failed` status
 * carrying that error instead of the usual progression. The mode in force now applies.
 */
export function scheduleStatuses(context: StatusContext, message: SentMessage, billing: Billing, failureCode: number | null) {
  const { settings } = context.state;
  const delays = settings.statusDelaysMs;
  const planned: Array<{ status: Reported; delayMs: number }> =
    failureCode !== null
      ? [{ status: "failed", delayMs: delays.sent }]
      : [
          { status: "sent", delayMs: delays.sent },
          { status: "delivered", delayMs: delays.delivered },
          { status: "read", delayMs: delays.read },
        ];
  const conversationId = randomHex(16);
  const build = (status: Reported, delayMs: number) =>
    statusUpdate(message, status, message.atMs + delayMs, failureCode, billing, conversationId);

  const sends: Array<{ delayMs: number; update: StatusUpdate }> = [];
  switch (settings.statusMode) {
    case "drop":
      break;
    case "normal":
      for (const { status, delayMs } of planned) sends.push({ delayMs, update: build(status, delayMs) });
      break;
    case "duplicate":
      for (const { status, delayMs } of planned) {
        const update = build(status, delayMs);
        sends.push({ delayMs, update }, { delayMs, update });
      }
      break;
    case "reorder": {
      // Same moments, statuses reversed: `read` arrives first though its timestamp is the latest.
      const reversed = [...planned].reverse();
      planned.forEach(({ delayMs }, index) => sends.push({ delayMs, update: build(reversed[index].status, reversed[index].delayMs) }));
      break;
    }
  }
  for (const { delayMs, update } of sends) {
    context.scheduler.after(delayMs, () => {
      const payload = messagesEnvelope(context.businessAccountId, {
        messaging_product: "whatsapp",
        // Reported for the number the message left from, as Meta does.
        metadata: { display_phone_number: context.displayPhoneNumber, phone_number_id: message.phoneNumberId },
        statuses: [update],
      });
      void context.sender.deliver("status", payload);
    });
  }
}

function statusUpdate(
  message: SentMessage,
  status: Reported,
  atMs: number,
  failureCode: number | null,
  billing: Billing,
  conversationId: string,
): StatusUpdate {
  // A message sent to a BSUID is reported by BSUID: the customer's number stays hidden.
  const recipient = isBsuid(message.to) ? { recipient_user_id: message.to } : { recipient_id: message.to };
  // Meta returns the send's biz_opaque_callback_data, untouched, in each of its statuses.
  const callbackData = message.request.biz_opaque_callback_data;
  const base: StatusUpdate = {
    id: message.wamid,
    status,
    timestamp: String(Math.floor(atMs / 1000)),
    ...recipient,
    ...(callbackData === undefined ? {} : { biz_opaque_callback_data: callbackData }),
  };
  if (status === "failed") return { ...base, errors: failureCode === null ? [] : [webhookError(failureCode)] };
  if (status === "read") return base;
  const free = billing.category === "service";
  return {
    ...base,
    ...(billing.withConversation
      ? {
          conversation: {
            id: conversationId,
            ...(status === "sent" ? { expiration_timestamp: String(Math.floor(message.atMs / 1000) + 24 * 3600) } : {}),
            origin: { type: billing.category },
          },
        }
      : {}),
    pricing: {
      billable: !free,
      pricing_model: "PMP",
      type: free ? "free_customer_service" : "regular",
      category: billing.category,
    },
  };
}

function randomHex(bytes: number): string {
  return Array.from({ length: bytes * 2 }, () => Math.floor(Math.random() * 16).toString(16)).join("");
}
