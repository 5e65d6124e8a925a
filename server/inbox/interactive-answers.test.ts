import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { conversationFilePath } from "../storage/conversation-files.ts";
import { graphql } from "../tests/support/harness.ts";
import { eventually } from "../tests/support/simulated-whatsapp.ts";
import { withCustomersWhoWrite } from "../tests/support/customers-who-write.ts";

const { server, simulator, db, customerWhoWrote } = withCustomersWhoWrite({ waIdPrefix: "9196000", name: "Meera", text: "Hi" });

const SEND = `mutation($input: SendWhatsAppInteractiveInput!) { sendWhatsAppInteractive(input: $input) {
  __typename ... on SendWhatsAppSuccess { messageId whatsAppMessage { interactive { flow { flowToken } } } } ... on ValidationError { message } } }`;

async function sendInteractive(input: Record<string, unknown>) {
  const answer = await graphql(server(), SEND, { input });
  const result = answer.data!.sendWhatsAppInteractive;
  expect(result.__typename, JSON.stringify(answer)).toBe("SendWhatsAppSuccess");
  return result as { messageId: string; whatsAppMessage: { interactive: { flow: { flowToken: string } | null } } };
}

const MESSAGE = `query($id: ID!) { messages(conversationId: $id, last: 20) { edges { node {
  wamid direction type text preview contextWamid
  quoted { wamid interactive { kind } }
  answer { kind id title description formName flowToken responseJson fields { key label value } address orderItems { productId quantity itemPrice currency } orderTotal orderCurrency callsAllowed callsAllowedUntil }
} } } }`;

/** The customer's latest message, as GraphQL answers it, once stored. */
async function latestFromCustomer(waId: string, count = 2) {
  const conversation = await db().conversation.findFirstOrThrow({ where: { waId } });
  return eventually(async () => {
    const inbound = await db().whatsAppMessage.count({ where: { conversationId: conversation.id, direction: "INBOUND" } });
    if (inbound < count) return null;
    const answer = await graphql(server(), MESSAGE, { id: conversation.id });
    expect(answer.errors).toBeUndefined();
    const nodes = (answer.data!.messages.edges as Array<{ node: Record<string, any> }>).map((edge) => edge.node);
    return nodes.filter((node) => node.direction === "INBOUND").at(-1)!;
  }, "the customer's answer");
}

describe("a customer's answers to interactive messages", () => {
  it("stores a button tap as the answer to that message, with the chosen id and title", async () => {
    const { waId } = await customerWhoWrote();
    const sent = await sendInteractive({ phoneNumber: waId, body: "Confirm 8 pm?", buttons: [{ id: "confirm", title: "Confirm" }, { id: "later", title: "Reschedule" }] });
    await simulator().answer({ to: sent.messageId, buttonId: "later" });
    const answer = await latestFromCustomer(waId);
    expect(answer).toMatchObject({
      type: "interactive",
      preview: "Reschedule",
      contextWamid: sent.messageId,
      quoted: { wamid: sent.messageId, interactive: { kind: "BUTTONS" } },
      answer: { kind: "CHOICE", id: "later", title: "Reschedule" },
    });
  });

  it("stores a list choice with its description", async () => {
    const { waId } = await customerWhoWrote();
    const sent = await sendInteractive({ phoneNumber: waId, body: "Pick a service", list: { button: "Services", sections: [{ rows: [{ id: "cut", title: "Haircut", description: "30 minutes" }] }] } });
    await simulator().answer({ to: sent.messageId, rowId: "cut" });
    expect(await latestFromCustomer(waId)).toMatchObject({ contextWamid: sent.messageId, answer: { kind: "CHOICE", id: "cut", title: "Haircut", description: "30 minutes" } });
  });

  it("matches a Flow submission to its Flow message by flow_token, and shows its fields readably", async () => {
    const { waId } = await customerWhoWrote();
    const sent = await sendInteractive({ phoneNumber: waId, body: "Book a table", flow: { flowId: "1197715005513101", flowCta: "Book", screen: "BOOKING" } });
    const flowToken = sent.whatsAppMessage.interactive.flow!.flowToken;
    // Meta does not always quote the Flow message: the token alone must find it.
    const responseJson = JSON.stringify({ screen_0_Full_name_0: "Meera Shah", guests: 4, vegetarian: true, date: "2026-01-15", flow_token: flowToken });
    await simulator().sendInbound({ from: waId, type: "interactive", interactive: { type: "nfm_reply", nfm_reply: { name: "flow", body: "Sent", response_json: responseJson } } });
    const answer = await latestFromCustomer(waId);
    expect(answer).toMatchObject({
      preview: "[Form submitted] Meera Shah · 4 · Yes · 15 Jan 2026",
      contextWamid: sent.messageId,
      quoted: { interactive: { kind: "FLOW" } },
      answer: {
        kind: "FORM",
        formName: "flow",
        flowToken,
        responseJson,
        fields: [
          { key: "screen_0_Full_name_0", label: "Full name", value: "Meera Shah" },
          { key: "guests", label: "Guests", value: "4" },
          { key: "vegetarian", label: "Vegetarian", value: "Yes" },
          { key: "date", label: "Date", value: "15 Jan 2026" },
        ],
      },
    });
    expect(answer.text).toBe("Full name: Meera Shah\nGuests: 4\nVegetarian: Yes\nDate: 15 Jan 2026");
  });

  it("keeps a Flow submission through the simulator's answer, with the token of the message answered", async () => {
    const { waId } = await customerWhoWrote();
    const sent = await sendInteractive({ phoneNumber: waId, body: "Feedback", flow: { flowId: "42", flowCta: "Rate", screen: "RATE" } });
    await simulator().answer({ to: sent.messageId, flowResponse: { rating: "5", comments: "Lovely" } });
    const answer = await latestFromCustomer(waId);
    expect(answer.answer).toMatchObject({ kind: "FORM", flowToken: sent.whatsAppMessage.interactive.flow!.flowToken, fields: [{ label: "Rating", value: "5" }, { label: "Comments", value: "Lovely" }] });
  });

  it("shows an address form's address", async () => {
    const { waId } = await customerWhoWrote();
    const sent = await sendInteractive({ phoneNumber: waId, body: "Where do we deliver?", buttons: [{ id: "a", title: "Address" }] });
    await simulator().answer({
      to: sent.messageId,
      address: { name: "Meera Shah", phone_number: "919600000001", in_pin_code: "400050", house_number: "12", building_name: "Sea View", address: "Linking Road", city: "Mumbai", state: "Maharashtra" },
    });
    const answer = await latestFromCustomer(waId);
    const line = "Meera Shah, 12, Sea View, Linking Road, Mumbai, Maharashtra, 400050";
    expect(answer).toMatchObject({ preview: `[Address] ${line}`, text: line, answer: { kind: "ADDRESS", formName: "address_message", address: line } });
  });

  it("stores a location shared in reply to a location request", async () => {
    const { waId } = await customerWhoWrote();
    const sent = await sendInteractive({ phoneNumber: waId, body: "Where are you?", locationRequest: true });
    await simulator().answer({ to: sent.messageId, location: { latitude: 19.06, longitude: 72.83, name: "Bandra station" } });
    expect(await latestFromCustomer(waId)).toMatchObject({ type: "location", preview: "[Location] Bandra station", contextWamid: sent.messageId, quoted: { interactive: { kind: "LOCATION_REQUEST" } } });
  });

  it("shows an order's items, quantities, prices and total", async () => {
    const { waId } = await customerWhoWrote();
    await simulator().sendInbound({
      from: waId,
      type: "order",
      order: {
        catalog_id: "1234",
        text: "Please pack well",
        product_items: [
          { product_retailer_id: "masala-chai", quantity: 2, item_price: 120.5, currency: "INR" },
          { product_retailer_id: "samosa", quantity: 3, item_price: 40, currency: "INR" },
        ],
      },
    });
    expect(await latestFromCustomer(waId)).toMatchObject({
      preview: "[Order] 5 items · Please pack well",
      answer: {
        kind: "ORDER",
        orderItems: [
          { productId: "masala-chai", quantity: 2, itemPrice: 120.5, currency: "INR" },
          { productId: "samosa", quantity: 3, itemPrice: 40, currency: "INR" },
        ],
        orderTotal: 361,
        orderCurrency: "INR",
      },
    });
  });

  it("shows a call permission answer", async () => {
    const { waId } = await customerWhoWrote();
    await simulator().sendInbound({
      from: waId,
      type: "interactive",
      interactive: { type: "call_permission_reply", call_permission_reply: { response: "accept", is_permanent: false, expiration_timestamp: 1_900_000_000, response_source: "user_action" } },
    });
    expect(await latestFromCustomer(waId)).toMatchObject({ preview: "[Calls] Allowed calls", answer: { kind: "CALL_PERMISSION", callsAllowed: true, callsAllowedUntil: new Date(1_900_000_000_000).toISOString() } });
  });

  it("shows Meta's error title for an unsupported message", async () => {
    const { waId } = await customerWhoWrote();
    await simulator().sendInbound({ from: waId, type: "unsupported" });
    expect(await latestFromCustomer(waId)).toMatchObject({ type: "unsupported", preview: "[Unsupported message] Unsupported message type", answer: null });
  });

  it("writes what was offered and what was answered into the conversation file, readably", async () => {
    const { waId } = await customerWhoWrote();
    const sent = await sendInteractive({ phoneNumber: waId, body: "Confirm?", buttons: [{ id: "yes", title: "Yes" }] });
    await simulator().answer({ to: sent.messageId, buttonId: "yes" });
    await latestFromCustomer(waId);
    const conversation = await db().conversation.findFirstOrThrow({ where: { waId } });
    const file = conversationFilePath(server().app.config.CONVERSATIONS_DIR, conversation.workspaceId, waId);
    const messages = await eventually(async () => {
      const parsed = JSON.parse(await readFile(file, "utf8").catch(() => '{"messages":[]}')) as { messages: Array<Record<string, unknown>> };
      return parsed.messages.some((message) => message.answer) ? parsed.messages : null;
    }, "the conversation file with the answer");
    expect(messages.find((message) => message.wamid === sent.messageId)).toMatchObject({ offered: { kind: "buttons", body: "Confirm?", buttons: [{ id: "yes", title: "Yes" }] } });
    expect(messages.find((message) => message.answer)).toMatchObject({ replyTo: sent.messageId, answer: { kind: "choice", id: "yes", title: "Yes" } });
  });
});

describe("the simulator answers only what was offered", () => {
  it("refuses a button the message does not have", async () => {
    const { waId } = await customerWhoWrote();
    const sent = await sendInteractive({ phoneNumber: waId, body: "Confirm?", buttons: [{ id: "yes", title: "Yes" }] });
    const response = await fetch(`${simulator().baseUrl}/_simulator/answer`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ to: sent.messageId, buttonId: "no" }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: `Message ${sent.messageId} has no button no` });
  });
});
