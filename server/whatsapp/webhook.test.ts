// Payloads written from Meta's webhook reference (field "messages": messages and statuses;
// "message_template_status_update"), see /work/shared/whatsapp-cloud-api.md.
import { describe, expect, it } from "vitest";
import { oneLine, PREVIEW_MAX_CHARACTERS } from "./message-content.ts";
import { parseWebhook, WebhookShapeError } from "./webhook.ts";
import type { WebhookEvent } from "./webhook-events.ts";

const WABA_ID = "102290129340398";
const PHONE_NUMBER_ID = "106540352242922";
const CUSTOMER = "16505551234";
const WAMID = "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=";
const SENT_AT = "1749416383";

function messagesChange(value: Record<string, unknown>, phoneNumberId = PHONE_NUMBER_ID) {
  return {
    field: "messages",
    value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId }, ...value },
  };
}

function delivery(...changes: Array<{ field: string; value: unknown }>) {
  return { object: "whatsapp_business_account", entry: [{ id: WABA_ID, changes }] };
}

function customerMessage(message: Record<string, unknown>) {
  return delivery(
    messagesChange({
      contacts: [{ profile: { name: "Sheena Nelson" }, wa_id: CUSTOMER }],
      messages: [{ from: CUSTOMER, id: WAMID, timestamp: SENT_AT, ...message }],
    }),
  );
}

function only(events: WebhookEvent[]) {
  expect(events).toHaveLength(1);
  return events[0]!;
}

describe("a customer's message", () => {
  it("becomes a message event: the customer, the time as a Date, the content and its preview, Meta's object kept raw", () => {
    const message = { from: CUSTOMER, id: WAMID, timestamp: SENT_AT, type: "text", text: { body: "Does it come in another color?" } };
    const events = parseWebhook(delivery(messagesChange({ contacts: [{ profile: { name: "Sheena Nelson" }, wa_id: CUSTOMER }], messages: [message] })));
    expect(only(events)).toEqual({
      kind: "message",
      sender: "customer",
      phoneNumberId: PHONE_NUMBER_ID,
      customer: { waId: CUSTOMER, userId: null, parentUserId: null, username: null, profileName: "Sheena Nelson" },
      wamid: WAMID,
      sentAt: new Date(1749416383 * 1000),
      type: "text",
      content: { kind: "text", text: "Does it come in another color?" },
      preview: "Does it come in another color?",
      replyToWamid: null,
      identityChange: null,
      raw: message,
    });
  });

  it.each([
    {
      name: "image with a caption",
      message: { type: "image", image: { caption: "This one", mime_type: "image/jpeg", sha256: "a1b2", id: "1003383421387256" } },
      content: { kind: "media", mediaType: "image", mediaId: "1003383421387256", mimeType: "image/jpeg", sha256: "a1b2", caption: "This one", filename: null, voice: false },
      preview: "[Image] This one",
    },
    {
      name: "voice note",
      message: { type: "audio", audio: { mime_type: "audio/ogg; codecs=opus", sha256: "c3d4", id: "1003383421387257", voice: true } },
      content: { kind: "media", mediaType: "audio", mimeType: "audio/ogg; codecs=opus", voice: true, caption: null },
      preview: "[Voice message]",
    },
    {
      name: "document",
      message: { type: "document", document: { caption: "Last month", filename: "invoice.pdf", mime_type: "application/pdf", sha256: "e5f6", id: "1003383421387258" } },
      content: { kind: "media", mediaType: "document", filename: "invoice.pdf", caption: "Last month" },
      preview: "[Document] invoice.pdf",
    },
    {
      name: "sticker",
      message: { type: "sticker", sticker: { mime_type: "image/webp", sha256: "a7b8", id: "1003383421387259", animated: false } },
      content: { kind: "media", mediaType: "sticker" },
      preview: "[Sticker]",
    },
    {
      name: "location",
      message: { type: "location", location: { address: "1 Hacker Way, Menlo Park, CA 94025", latitude: 37.483307, longitude: -122.148981, name: "Main Office" } },
      content: { kind: "location", latitude: 37.483307, longitude: -122.148981, name: "Main Office", address: "1 Hacker Way, Menlo Park, CA 94025" },
      preview: "[Location] Main Office",
    },
    {
      name: "location without a name",
      message: { type: "location", location: { latitude: 37.483307, longitude: -122.148981 } },
      content: { kind: "location", name: null, address: null },
      preview: "[Location] 37.483307, -122.148981",
    },
    {
      name: "two shared contacts",
      message: {
        type: "contacts",
        contacts: [
          { name: { first_name: "Barbara", formatted_name: "Barbara J. Johnson" }, phones: [{ phone: "+1 (940) 555-1234", wa_id: "19405551234", type: "HOME" }] },
          { phones: [{ phone: "+1 (650) 555-1234" }] },
        ],
      },
      content: { kind: "contacts", names: ["Barbara J. Johnson", "+1 (650) 555-1234"] },
      preview: "[Contact] Barbara J. Johnson and 1 more",
    },
    {
      name: "reaction",
      message: { type: "reaction", reaction: { message_id: "wamid.BUSINESS", emoji: "👍" } },
      content: { kind: "reaction", emoji: "👍", toWamid: "wamid.BUSINESS" },
      preview: "👍 reacted to a message",
    },
    {
      name: "reaction removed (no emoji)",
      message: { type: "reaction", reaction: { message_id: "wamid.BUSINESS" } },
      content: { kind: "reaction", emoji: null, toWamid: "wamid.BUSINESS" },
      preview: "Removed a reaction",
    },
    {
      name: "reply button tapped",
      message: { type: "interactive", interactive: { type: "button_reply", button_reply: { id: "yes-confirm", title: "Yes, confirm" } } },
      content: { kind: "choice", title: "Yes, confirm", id: "yes-confirm" },
      preview: "Yes, confirm",
    },
    {
      name: "list row picked",
      message: { type: "interactive", interactive: { type: "list_reply", list_reply: { id: "slot-2", title: "Tomorrow 10 am", description: "Morning slot" } } },
      content: { kind: "choice", title: "Tomorrow 10 am", id: "slot-2" },
      preview: "Tomorrow 10 am",
    },
    {
      name: "template quick reply",
      message: { type: "button", button: { payload: "TRACK", text: "Track order" } },
      content: { kind: "choice", title: "Track order", id: "TRACK" },
      preview: "Track order",
    },
    {
      name: "order",
      message: {
        type: "order",
        order: {
          catalog_id: "194836987003835",
          text: "Please deliver by Friday",
          product_items: [
            { product_retailer_id: "sku-1", quantity: 2, item_price: 499, currency: "INR" },
            { product_retailer_id: "sku-2", quantity: 1, item_price: 99, currency: "INR" },
          ],
        },
      },
      content: { kind: "order", itemCount: 3, note: "Please deliver by Friday" },
      preview: "[Order] 3 items · Please deliver by Friday",
    },
    {
      name: "number change (system)",
      message: { type: "system", system: { body: "User A changed from 16505551234 to 16505550000", wa_id: "16505550000", type: "user_changed_number" } },
      content: { kind: "system", text: "User A changed from 16505551234 to 16505550000" },
      preview: "[System] User A changed from 16505551234 to 16505550000",
    },
    {
      name: "unsupported message",
      message: { type: "unsupported", errors: [{ code: 131051, title: "Message type unknown", message: "Message type unknown", error_data: { details: "Message type is currently not supported." } }] },
      content: { kind: "unsupported", reason: "Message type unknown" },
      preview: "[Unsupported message] Message type unknown",
    },
    {
      name: "type the product does not read",
      message: { type: "request_welcome" },
      content: { kind: "unknown", type: "request_welcome" },
      preview: "[request_welcome]",
    },
    {
      name: "text type without its body",
      message: { type: "text" },
      content: { kind: "unknown", type: "text" },
      preview: "[text]",
    },
  ])("reads a $name", ({ message, content, preview }) => {
    const event = only(parseWebhook(customerMessage(message)));
    expect(event).toMatchObject({ kind: "message", type: message.type, content, preview });
  });

  it("names the message a reply quotes", () => {
    const event = only(parseWebhook(customerMessage({ type: "text", text: { body: "Yes" }, context: { from: "15550783881", id: "wamid.QUOTED" } })));
    expect(event).toMatchObject({ replyToWamid: "wamid.QUOTED" });
  });

  it("has no profile name when the change has no contacts (system messages)", () => {
    const events = parseWebhook(delivery(messagesChange({ messages: [{ from: CUSTOMER, id: WAMID, timestamp: SENT_AT, type: "system", system: { body: "changed" } }] })));
    expect(only(events)).toMatchObject({ customer: { waId: CUSTOMER, profileName: null } });
  });

  it("cuts a long preview to one line of PREVIEW_MAX_CHARACTERS, the full text kept in the content", () => {
    const body = `First line\n\n${"word ".repeat(60)}`;
    const event = only(parseWebhook(customerMessage({ type: "text", text: { body } })));
    if (event.kind !== "message" || event.content.kind !== "text") throw new Error("expected a text message");
    expect(event.content.text).toBe(body);
    expect(Array.from(event.preview)).toHaveLength(PREVIEW_MAX_CHARACTERS);
    expect(event.preview).toBe(oneLine(body));
    expect(event.preview).toMatch(/^First line word word .*…$/);
  });
});

describe("a status of a message the business sent", () => {
  const status = (value: Record<string, unknown>) =>
    parseWebhook(delivery(messagesChange({ statuses: [{ id: WAMID, timestamp: SENT_AT, recipient_id: CUSTOMER, ...value }] })));

  it("becomes a status event with its time as a Date and what Meta charges", () => {
    const raw = {
      id: WAMID,
      status: "delivered",
      timestamp: SENT_AT,
      recipient_id: CUSTOMER,
      pricing: { billable: true, pricing_model: "PMP", category: "utility", type: "regular" },
    };
    const events = parseWebhook(delivery(messagesChange({ statuses: [raw] })));
    expect(only(events)).toEqual({
      kind: "status",
      phoneNumberId: PHONE_NUMBER_ID,
      wamid: WAMID,
      status: "delivered",
      at: new Date(1749416383 * 1000),
      error: null,
      pricing: { billable: true, model: "PMP", category: "utility" },
      callbackData: null,
      raw,
    });
  });

  it("carries the send's biz_opaque_callback_data; one it cannot read costs only itself", () => {
    expect(only(status({ status: "sent", biz_opaque_callback_data: "outbox:0193abcd" }))).toMatchObject({ status: "sent", callbackData: "outbox:0193abcd" });
    expect(only(status({ status: "sent", biz_opaque_callback_data: { not: "a string" } }))).toMatchObject({ status: "sent", wamid: WAMID, callbackData: null });
    expect(only(status({ status: "read", biz_opaque_callback_data: "x".repeat(513) }))).toMatchObject({ status: "read", callbackData: null });
  });

  it("carries a failure's code, title, message and details", () => {
    const errors = [
      { code: 131026, title: "Message undeliverable", message: "Message undeliverable", error_data: { details: "Message Undeliverable." } },
      { code: 131000, title: "Something went wrong" },
    ];
    expect(only(status({ status: "failed", errors }))).toMatchObject({
      status: "failed",
      error: { code: 131026, title: "Message undeliverable", message: "Message undeliverable", details: "Message Undeliverable." },
      pricing: null,
    });
  });

  it("keeps the status when its pricing is of a shape it cannot read", () => {
    expect(only(status({ status: "read", pricing: { pricing_model: 42 } }))).toMatchObject({ status: "read", pricing: null });
  });

  it("drops a status word it does not know", () => {
    expect(status({ status: "deleted" })).toEqual([]);
  });
});

describe("a template status change", () => {
  it("becomes a template status event of the business account, Meta's numeric id as text", () => {
    const events = parseWebhook(
      delivery({
        field: "message_template_status_update",
        value: { event: "REJECTED", message_template_id: 594425479261596, message_template_name: "order_update", message_template_language: "en_US", reason: "INCORRECT_CATEGORY" },
      }),
    );
    expect(only(events)).toEqual({
      kind: "templateStatus",
      phoneNumberId: null,
      businessAccountId: WABA_ID,
      templateId: "594425479261596",
      name: "order_update",
      language: "en_US",
      event: "REJECTED",
      reason: "INCORRECT_CATEGORY",
    });
  });

  it("is acknowledged as another change when it cannot be read", () => {
    const value = { event: "APPROVED" };
    expect(only(parseWebhook(delivery({ field: "message_template_status_update", value })))).toEqual({
      kind: "other",
      field: "message_template_status_update",
      phoneNumberId: null,
      value,
    });
  });
});

describe("a delivery", () => {
  it("lists the events of several entries, changes, messages and statuses in Meta's order", () => {
    const body = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: WABA_ID,
          changes: [
            messagesChange({
              contacts: [{ profile: { name: "Ana" }, wa_id: "919800000001" }, { profile: { name: "Ben" }, wa_id: "919800000002" }],
              messages: [
                { from: "919800000001", id: "wamid.A", timestamp: SENT_AT, type: "text", text: { body: "a" } },
                { from: "919800000002", id: "wamid.B", timestamp: SENT_AT, type: "text", text: { body: "b" } },
              ],
              statuses: [{ id: "wamid.S", status: "sent", timestamp: SENT_AT, recipient_id: "919800000001" }],
            }),
          ],
        },
        { id: "102290129340399", changes: [messagesChange({ contacts: [{ profile: { name: "Cy" }, wa_id: "919800000003" }], messages: [{ from: "919800000003", id: "wamid.C", timestamp: SENT_AT, type: "text", text: { body: "c" } }] }, "106540352242923")] },
      ],
    };
    const events = parseWebhook(body);
    expect(events.map((event) => [event.kind, event.phoneNumberId, event.kind === "message" ? event.customer.profileName : null])).toEqual([
      ["message", PHONE_NUMBER_ID, "Ana"],
      ["message", PHONE_NUMBER_ID, "Ben"],
      ["status", PHONE_NUMBER_ID, null],
      ["message", "106540352242923", "Cy"],
    ]);
  });

  it("keeps an item it cannot read as unreadable, with Meta's object, and reads the rest of its change", () => {
    const withoutId = { from: CUSTOMER, timestamp: SENT_AT, type: "text", text: { body: "no id" } };
    const events = parseWebhook(
      delivery(messagesChange({ messages: [withoutId, { from: CUSTOMER, id: WAMID, timestamp: SENT_AT, type: "text", text: { body: "fine" } }] })),
    );
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ kind: "unreadable", phoneNumberId: PHONE_NUMBER_ID, raw: withoutId });
    expect((events[0] as { reason: string }).reason).toBe("entry[0].changes[0].value.messages[0] has no id");
    expect(events[1]).toMatchObject({ kind: "message", wamid: WAMID });
  });

  it("acknowledges fields the product does not handle, with the business number when the change names one", () => {
    const events = parseWebhook(
      delivery(
        { field: "account_update", value: { phone_number: "15550783881", event: "VERIFIED_ACCOUNT" } },
        { field: "user_preferences", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550783881", phone_number_id: PHONE_NUMBER_ID }, user_preferences: [] } },
      ),
    );
    expect(events.map((event) => [event.kind, event.kind === "other" ? event.field : null, event.phoneNumberId])).toEqual([
      ["other", "account_update", null],
      ["other", "user_preferences", PHONE_NUMBER_ID],
    ]);
  });

  it.each([
    ["not a WhatsApp webhook", { object: "page", entry: [] }, 'object should be "whatsapp_business_account", not "page"'],
    ["no entry", { object: "whatsapp_business_account" }, "the body has no entry"],
    ["an entry id that is a number", { object: "whatsapp_business_account", entry: [{ id: 7, changes: [] }] }, "entry[0].id should be text, not a number"],
    ["a messages change without its metadata", delivery({ field: "messages", value: { messaging_product: "whatsapp" } }), "entry[0].changes[0].value has no metadata"],
    [
      "a second change whose metadata has no phone number id",
      delivery(messagesChange({}), { field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "1" } } }),
      "entry[0].changes[1].value.metadata has no phone_number_id",
    ],
  ])("refuses %s with a WebhookShapeError saying, in Meta's terms, what is wrong where", (_name, body, message) => {
    expect(() => parseWebhook(body)).toThrow(WebhookShapeError);
    expect(() => parseWebhook(body)).toThrow(new WebhookShapeError(message));
  });

  it("keeps a message whose timestamp is not Unix seconds as unreadable rather than guess its time", () => {
    expect(only(parseWebhook(customerMessage({ type: "text", text: { body: "x" }, timestamp: "yesterday" })))).toMatchObject({ kind: "unreadable" });
  });

  it("hands on no snake_case field and no Unix-seconds text outside Meta's raw objects", () => {
    const events = parseWebhook(
      delivery(
        messagesChange({
          contacts: [{ profile: { name: "Sheena Nelson" }, wa_id: CUSTOMER }],
          messages: [
            { from: CUSTOMER, id: WAMID, timestamp: SENT_AT, type: "image", image: { id: "1", mime_type: "image/jpeg", sha256: "x" }, context: { from: "15550783881", id: "wamid.Q" } },
            { from: CUSTOMER, id: "wamid.2", timestamp: SENT_AT, type: "interactive", interactive: { type: "button_reply", button_reply: { id: "a", title: "A" } } },
          ],
          statuses: [{ id: "wamid.3", status: "failed", timestamp: SENT_AT, recipient_id: CUSTOMER, errors: [{ code: 131026, error_data: { details: "d" } }], pricing: { pricing_model: "PMP" } }],
        }),
        { field: "message_template_status_update", value: { event: "APPROVED", message_template_id: 1, message_template_name: "hello", message_template_language: "en" } },
      ),
    );
    const keys: string[] = [];
    const texts: string[] = [];
    const walk = (value: unknown) => {
      if (typeof value === "string") texts.push(value);
      if (value === null || typeof value !== "object" || value instanceof Date) return;
      for (const [key, inner] of Object.entries(value)) {
        if (key === "raw") continue;
        keys.push(key);
        walk(inner);
      }
    };
    events.forEach(walk);
    expect(events).toHaveLength(4);
    expect(keys.filter((key) => key.includes("_"))).toEqual([]);
    expect(texts).not.toContain(SENT_AT);
  });
});
