import { describe, expect, it } from "vitest";
import { ADMIN_API_TOKEN, graphql, rest } from "../tests/support/harness.ts";
import { withCustomersWhoWrite } from "../tests/support/customers-who-write.ts";

const { server, simulator, db, customerWhoWrote } = withCustomersWhoWrite({ waIdPrefix: "9197000", name: "Meera", text: "Hi, I booked a table" });

const sentTo = (waId: string) => simulator().sentMessages().filter((message) => message.to === waId);
const storedFor = async (waId: string) => db().whatsAppMessage.findMany({ where: { conversation: { waId }, direction: "OUTBOUND" } });

const SEND = `mutation($input: SendWhatsAppInteractiveInput!) { sendWhatsAppInteractive(input: $input) {
  __typename
  ... on SendWhatsAppSuccess { messageId whatsAppMessage { id type preview interactive { kind header body footer buttons { id title } list { button sections { title rows { id title description } } } ctaUrl { displayText url } flow { flowId flowCta flowToken mode screen data } } } }
  ... on ValidationError { message fieldErrors { field message } }
  ... on WindowClosedError { message }
} }`;

const send = (input: Record<string, unknown>) => graphql(server(), SEND, { input });

const buttons = (titles: string[]) => titles.map((title, index) => ({ id: `b${index}`, title }));

describe("sending interactive messages", () => {
  it("sends reply buttons in Meta's shape and keeps them to show as sent", async () => {
    const { waId } = await customerWhoWrote();
    const answer = await send({ phoneNumber: `+${waId}`, header: "Your table", body: "Confirm your booking for 8 pm?", footer: "Café Mumbai", buttons: buttons(["Confirm", "Reschedule"]) });
    const result = answer.data!.sendWhatsAppInteractive;
    expect(result.__typename).toBe("SendWhatsAppSuccess");
    expect(result.whatsAppMessage).toMatchObject({
      type: "interactive",
      preview: "[Buttons] Confirm your booking for 8 pm?",
      interactive: { kind: "BUTTONS", header: "Your table", footer: "Café Mumbai", buttons: [{ id: "b0", title: "Confirm" }, { id: "b1", title: "Reschedule" }] },
    });
    const [sent] = sentTo(waId);
    expect(sent!.request).toMatchObject({
      type: "interactive",
      interactive: {
        type: "button",
        header: { type: "text", text: "Your table" },
        body: { text: "Confirm your booking for 8 pm?" },
        footer: { text: "Café Mumbai" },
        action: { buttons: [{ type: "reply", reply: { id: "b0", title: "Confirm" } }, { type: "reply", reply: { id: "b1", title: "Reschedule" } }] },
      },
    });
  });

  it("sends a list, a link button, a location request and a Flow, each as Meta documents it", async () => {
    const { waId } = await customerWhoWrote();
    const list = { button: "Services", sections: [{ title: "Hair", rows: [{ id: "cut", title: "Haircut", description: "30 minutes" }] }, { title: "Nails", rows: [{ id: "mani", title: "Manicure" }] }] };
    for (const input of [
      { body: "What would you like?", list },
      { body: "Pay for order #42", ctaUrl: { displayText: "Pay now", url: "https://pay.example.in/42" } },
      { body: "Where should we pick you up?", locationRequest: true },
      { body: "Tell us your address", flow: { flowId: "1197715005513101", flowCta: "Fill in", screen: "ADDRESS", data: { city: "Pune" } } },
    ]) {
      const answer = await send({ phoneNumber: waId, ...input });
      expect(answer.data!.sendWhatsAppInteractive.__typename, JSON.stringify(answer)).toBe("SendWhatsAppSuccess");
    }
    const requests = sentTo(waId).map((message) => message.request.interactive);
    expect(requests[0]).toMatchObject({ type: "list", action: { button: "Services", sections: [{ title: "Hair", rows: [{ id: "cut", title: "Haircut", description: "30 minutes" }] }, { title: "Nails" }] } });
    expect(requests[1]).toMatchObject({ type: "cta_url", action: { name: "cta_url", parameters: { display_text: "Pay now", url: "https://pay.example.in/42" } } });
    expect(requests[2]).toEqual({ type: "location_request_message", body: { text: "Where should we pick you up?" }, action: { name: "send_location" } });
    const flowParameters = (requests[3]!.action as { parameters: Record<string, unknown> }).parameters;
    expect(flowParameters).toMatchObject({ flow_message_version: "3", flow_id: "1197715005513101", flow_cta: "Fill in", flow_action: "navigate", flow_action_payload: { screen: "ADDRESS", data: { city: "Pune" } } });
    // A token was made and stored, so that the submission can be matched to this message.
    expect(flowParameters.flow_token).toMatch(/^[0-9a-f-]{36}$/);
    const flowMessage = (await storedFor(waId)).find((message) => message.flowToken !== null);
    expect(flowMessage?.flowToken).toBe(flowParameters.flow_token);
  });

  it("sends a location pin and contact cards", async () => {
    const { waId } = await customerWhoWrote();
    const location = await graphql(server(), `mutation($input: SendWhatsAppLocationInput!) { sendWhatsAppLocation(input: $input) { __typename ... on SendWhatsAppSuccess { whatsAppMessage { type preview latitude locationName } } } }`, {
      input: { phoneNumber: waId, latitude: 19.076, longitude: 72.8777, name: "Café Mumbai", address: "Linking Road, Bandra" },
    });
    expect(location.data!.sendWhatsAppLocation.whatsAppMessage).toEqual({ type: "location", preview: "[Location] Café Mumbai", latitude: 19.076, locationName: "Café Mumbai" });
    const contacts = await graphql(server(), `mutation($input: SendWhatsAppContactsInput!) { sendWhatsAppContacts(input: $input) { __typename ... on SendWhatsAppSuccess { whatsAppMessage { preview contactCards { name phones } } } } }`, {
      input: { phoneNumber: waId, contacts: [{ name: "Ravi Kumar", phones: ["+91 98200 00000"], organization: "Café Mumbai" }] },
    });
    expect(contacts.data!.sendWhatsAppContacts.whatsAppMessage).toEqual({ preview: "[Contact] Ravi Kumar", contactCards: [{ name: "Ravi Kumar", phones: ["+91 98200 00000"] }] });
    const [pin, card] = sentTo(waId);
    expect(pin!.request.location).toEqual({ latitude: 19.076, longitude: 72.8777, name: "Café Mumbai", address: "Linking Road, Bandra" });
    expect(card!.request.contacts).toEqual([
      { name: { formatted_name: "Ravi Kumar", first_name: "Ravi", last_name: "Kumar" }, phones: [{ phone: "+91 98200 00000", type: "CELL" }], org: { company: "Café Mumbai" } },
    ]);
  });

  it("sends over REST with the same body as the GraphQL input", async () => {
    const { waId } = await customerWhoWrote();
    const answer = await rest(server(), "POST", "/api/whatsapp/send-interactive", { phoneNumber: waId, body: "Still coming?", buttons: buttons(["Yes", "No"]) }, { token: ADMIN_API_TOKEN });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: true, messageId: expect.stringMatching(/^wamid\./) });
    const refused = await rest(server(), "POST", "/api/whatsapp/send-interactive", { phoneNumber: waId, body: "Still coming?", buttons: buttons(["A", "B", "C", "D"]) }, { token: ADMIN_API_TOKEN });
    expect(refused).toMatchObject({ status: 400, body: { success: false, fieldErrors: [{ field: "buttons" }] } });
    expect(sentTo(waId)).toHaveLength(1);
  });

  it("repeats nothing for a repeated idempotency key", async () => {
    const { waId } = await customerWhoWrote();
    const input = { phoneNumber: waId, body: "Rate us", buttons: buttons(["Good", "Bad"]), idempotencyKey: `rate-${waId}` };
    const first = await send(input);
    const again = await send(input);
    expect(again.data!.sendWhatsAppInteractive.messageId).toBe(first.data!.sendWhatsAppInteractive.messageId);
    expect(sentTo(waId)).toHaveLength(1);
  });

  it("needs the 24-hour window, like any free-form message", async () => {
    const waId = "919700099999";
    const answer = await send({ phoneNumber: waId, body: "Hello", buttons: buttons(["Hi"]) });
    expect(answer.data!.sendWhatsAppInteractive.__typename).toBe("WindowClosedError");
    expect(sentTo(waId)).toHaveLength(0);
  });
});

describe("Meta's limits, refused before anything is stored or sent", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["no action at all", { body: "Hi" }, "buttons"],
    ["two actions at once", { body: "Hi", buttons: buttons(["A"]), locationRequest: true }, "locationRequest"],
    ["no buttons", { body: "Hi", buttons: [] }, "buttons"],
    ["four buttons", { body: "Hi", buttons: buttons(["A", "B", "C", "D"]) }, "buttons"],
    ["a button title over 20 characters", { body: "Hi", buttons: buttons(["Reschedule my booking"]) }, "buttons.0.title"],
    ["two buttons with one id", { body: "Hi", buttons: [{ id: "x", title: "A" }, { id: "x", title: "B" }] }, "buttons.1.id"],
    ["an empty body", { body: " ", buttons: buttons(["A"]) }, "body"],
    ["a body over 1024 characters", { body: "x".repeat(1025), buttons: buttons(["A"]) }, "body"],
    ["a header over 60 characters", { header: "h".repeat(61), body: "Hi", buttons: buttons(["A"]) }, "header"],
    ["a footer over 60 characters", { footer: "f".repeat(61), body: "Hi", buttons: buttons(["A"]) }, "footer"],
    ["a list button over 20 characters", { body: "Hi", list: { button: "See all of our services", sections: [{ rows: [{ id: "a", title: "A" }] }] } }, "list.button"],
    ["eleven rows", { body: "Hi", list: { button: "Menu", sections: [{ title: "One", rows: Array.from({ length: 6 }, (_, i) => ({ id: `a${i}`, title: "A" })) }, { title: "Two", rows: Array.from({ length: 5 }, (_, i) => ({ id: `b${i}`, title: "B" })) }] } }, "list.sections"],
    ["a row title over 24 characters", { body: "Hi", list: { button: "Menu", sections: [{ rows: [{ id: "a", title: "Deep tissue massage 90 min" }] }] } }, "list.sections.0.rows.0.title"],
    ["a row description over 72 characters", { body: "Hi", list: { button: "Menu", sections: [{ rows: [{ id: "a", title: "A", description: "d".repeat(73) }] }] } }, "list.sections.0.rows.0.description"],
    ["a section title over 24 characters", { body: "Hi", list: { button: "Menu", sections: [{ title: "s".repeat(25), rows: [{ id: "a", title: "A" }] }] } }, "list.sections.0.title"],
    ["two sections, one untitled", { body: "Hi", list: { button: "Menu", sections: [{ title: "One", rows: [{ id: "a", title: "A" }] }, { rows: [{ id: "b", title: "B" }] }] } }, "list.sections.1.title"],
    ["two rows with one id", { body: "Hi", list: { button: "Menu", sections: [{ rows: [{ id: "a", title: "A" }, { id: "a", title: "B" }] }] } }, "list.sections.0.rows.1.id"],
    ["a plain http link", { body: "Hi", ctaUrl: { displayText: "Pay", url: "http://pay.example.in" } }, "ctaUrl.url"],
    ["a link button text over 20 characters", { body: "Hi", ctaUrl: { displayText: "Pay for your order now", url: "https://pay.example.in" } }, "ctaUrl.displayText"],
    ["a location request with a header", { header: "Where?", body: "Hi", locationRequest: true }, "header"],
    ["a Flow button with emoji", { body: "Hi", flow: { flowId: "123", flowCta: "Book 📅", screen: "A" } }, "flow.flowCta"],
    ["a navigate Flow without its screen", { body: "Hi", flow: { flowId: "123", flowCta: "Book" } }, "flow.screen"],
    ["a data_exchange Flow with a screen", { body: "Hi", flow: { flowId: "123", flowCta: "Book", mode: "DATA_EXCHANGE", screen: "A" } }, "flow.screen"],
  ];

  it.each(cases)("refuses %s, naming the field", async (_name, input, field) => {
    const { waId } = await customerWhoWrote();
    const before = await storedFor(waId);
    const answer = await send({ phoneNumber: waId, ...input });
    const result = answer.data!.sendWhatsAppInteractive;
    expect(result.__typename, JSON.stringify(answer)).toBe("ValidationError");
    expect(result.fieldErrors.map((error: { field: string }) => error.field)).toContain(field);
    expect(await storedFor(waId)).toHaveLength(before.length);
    expect(sentTo(waId)).toHaveLength(0);
  });

  it("accepts every limit exactly reached", async () => {
    const { waId } = await customerWhoWrote();
    const full = await send({
      phoneNumber: waId,
      header: "h".repeat(60),
      body: "b".repeat(4096),
      footer: "f".repeat(60),
      list: { button: "l".repeat(20), sections: [{ title: "s".repeat(24), rows: Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, title: `${i}`.padEnd(24, "t"), description: "d".repeat(72) })) }] },
    });
    expect(full.data!.sendWhatsAppInteractive.__typename, JSON.stringify(full)).toBe("SendWhatsAppSuccess");
    const three = await send({ phoneNumber: waId, body: "b".repeat(1024), buttons: buttons(["1".repeat(20), "2".repeat(20), "3".repeat(20)]) });
    expect(three.data!.sendWhatsAppInteractive.__typename).toBe("SendWhatsAppSuccess");
  });
});
