// Webhook payloads authored from Meta's documented format (../shared/whatsapp-cloud-api.md).
import type { InboundMessage, StatusUpdate } from "../../whatsapp/webhook.ts";

export const TEST_APP_SECRET = "test-app-secret-for-webhooks";
export const TEST_PHONE_NUMBER_ID = "106540352242922";
export const TEST_DISPLAY_NUMBER = "15550783881";
export const TEST_WABA_ID = "102290129340398";
export const CUSTOMER = { waId: "919876543210", name: "Priya Sharma" };

let sequence = 0;
/** A fresh wamid in Meta's style. */
export function wamid() {
  sequence++;
  return `wamid.HBgM${Date.now().toString(36)}${sequence.toString(36).padStart(6, "0")}AA==`;
}

export function unixNow(offsetSeconds = 0) {
  return String(Math.floor(Date.now() / 1000) + offsetSeconds);
}

type MessageBody = Omit<InboundMessage, "from" | "id" | "timestamp"> & Partial<Pick<InboundMessage, "from" | "id" | "timestamp">>;

export function inbound(body: MessageBody): InboundMessage {
  return { from: CUSTOMER.waId, id: wamid(), timestamp: unixNow(), ...body } as InboundMessage;
}

/** One `messages` change for one business number: messages and/or statuses. */
export function change(
  parts: { messages?: InboundMessage[]; statuses?: StatusUpdate[]; phoneNumberId?: string; profileName?: string | null },
) {
  const messages = parts.messages ?? [];
  // Phone-less senders (usernames) are described by the test itself, as Meta would: see contacts in each test.
  const senders = [...new Set(messages.filter((message) => message.type !== "system").map((message) => message.from).filter((from) => from !== undefined))];
  return {
    field: "messages",
    value: {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: TEST_DISPLAY_NUMBER, phone_number_id: parts.phoneNumberId ?? TEST_PHONE_NUMBER_ID },
      ...(senders.length > 0
        ? { contacts: senders.map((waId) => ({ profile: { name: parts.profileName ?? CUSTOMER.name }, wa_id: waId })) }
        : {}),
      ...(messages.length > 0 ? { messages } : {}),
      ...(parts.statuses ? { statuses: parts.statuses } : {}),
    },
  };
}

export function envelope(...changes: Array<ReturnType<typeof change> | { field: string; value: unknown }>) {
  return { object: "whatsapp_business_account", entry: [{ id: TEST_WABA_ID, changes }] };
}

export function status(id: string, value: string, extra: Partial<StatusUpdate> = {}): StatusUpdate {
  return { id, status: value, timestamp: unixNow(), recipient_id: CUSTOMER.waId, ...extra };
}

const media = (extra: Record<string, unknown> = {}) => ({
  id: `media-${++sequence}`,
  mime_type: "image/jpeg",
  sha256: "3b5f0a3c1c1c9b1c8f3a3e1f1b9e8c7d6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d",
  ...extra,
});

/** Every documented inbound message type, with the preview the inbox must show for it. */
export const EVERY_MESSAGE_TYPE: Array<{ name: string; body: MessageBody; preview: string; text: string | null }> = [
  { name: "text", body: { type: "text", text: { body: "Hello!" } }, preview: "Hello!", text: "Hello!" },
  { name: "image with caption", body: { type: "image", image: media({ caption: "My order" }) }, preview: "[Image] My order", text: "My order" },
  { name: "video", body: { type: "video", video: media({ mime_type: "video/mp4" }) }, preview: "[Video]", text: null },
  { name: "audio", body: { type: "audio", audio: media({ mime_type: "audio/mpeg" }) }, preview: "[Audio]", text: null },
  { name: "voice note", body: { type: "audio", audio: media({ mime_type: "audio/ogg; codecs=opus", voice: true }) }, preview: "[Voice message]", text: null },
  { name: "document", body: { type: "document", document: media({ mime_type: "application/pdf", filename: "invoice.pdf" }) }, preview: "[Document] invoice.pdf", text: null },
  { name: "sticker", body: { type: "sticker", sticker: media({ mime_type: "image/webp", animated: false }) }, preview: "[Sticker]", text: null },
  {
    name: "location",
    body: { type: "location", location: { latitude: 19.076, longitude: 72.8777, name: "Gateway of India", address: "Apollo Bandar, Mumbai" } },
    preview: "[Location] Gateway of India",
    text: "Gateway of India\nApollo Bandar, Mumbai",
  },
  {
    name: "contacts",
    body: { type: "contacts", contacts: [{ name: { formatted_name: "Ravi Kumar" }, phones: [{ phone: "+91 98111 22222", wa_id: "919811122222" }] }] },
    preview: "[Contact] Ravi Kumar",
    text: "Ravi Kumar",
  },
  {
    name: "interactive button reply",
    body: { type: "interactive", interactive: { type: "button_reply", button_reply: { id: "yes", title: "Yes, confirm" } } },
    preview: "Yes, confirm",
    text: "Yes, confirm",
  },
  {
    name: "interactive list reply",
    body: { type: "interactive", interactive: { type: "list_reply", list_reply: { id: "slot-2", title: "Tomorrow 10 am", description: "Morning slot" } } },
    preview: "Tomorrow 10 am",
    text: "Tomorrow 10 am",
  },
  { name: "template quick reply", body: { type: "button", button: { text: "Track order", payload: "TRACK" } }, preview: "Track order", text: "Track order" },
  {
    name: "order",
    body: {
      type: "order",
      order: { catalog_id: "cat-1", text: "Please deliver by Friday", product_items: [{ product_retailer_id: "sku-1", quantity: 2, item_price: 499, currency: "INR" }, { product_retailer_id: "sku-2", quantity: 1, item_price: 99, currency: "INR" }] },
    },
    preview: "[Order] 3 items · Please deliver by Friday",
    text: "Please deliver by Friday",
  },
  {
    name: "ad referral",
    body: { type: "text", text: { body: "I saw your ad" }, referral: { source_url: "https://fb.me/ad", source_type: "ad", headline: "Diwali sale" } },
    preview: "I saw your ad",
    text: "I saw your ad",
  },
  {
    name: "system: number changed",
    body: { type: "system", system: { body: "User A changed from 919876543210 to 919876500000", type: "user_changed_number", wa_id: "919876500000" } },
    preview: "[System] User A changed from 919876543210 to 919876500000",
    text: "User A changed from 919876543210 to 919876500000",
  },
  {
    name: "unsupported",
    body: { type: "unsupported", errors: [{ code: 131051, title: "Message type unknown", error_data: { details: "Message type is currently not supported." } }] },
    preview: "[Unsupported message] Message type unknown",
    text: "Message type unknown",
  },
];
