// The simulator's reading of interactive messages and blocks, over real HTTP, in Meta's formats.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSimulator, type Simulator } from "./simulator.ts";

const TOKEN = "sim-interactive-token";
const PHONE_ID = "106540352242922";
const CUSTOMER = "919876543210";

let simulator: Simulator;
let base = "";

beforeAll(async () => {
  // Nobody listens for webhooks here: the customer's messages only need to open the window.
  simulator = createSimulator({ token: TOKEN, phoneNumberId: PHONE_ID, businessAccountId: "102290129340398", appSecret: "secret", webhookUrl: "http://127.0.0.1:9/none", webhookRetryDelaysMs: [] });
  base = await simulator.start();
});
afterAll(() => simulator.stop());
beforeEach(() => {
  simulator.reset();
  simulator.configure({ webhookUrl: "http://127.0.0.1:9/none" });
});

async function graph(method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}/v23.0/${PHONE_ID}/${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const send = (interactive: Record<string, unknown>) => graph("POST", "messages", { messaging_product: "whatsapp", recipient_type: "individual", to: CUSTOMER, type: "interactive", interactive });
const reply = (id: string, title: string) => ({ type: "reply", reply: { id, title } });
const rows = (count: number) => Array.from({ length: count }, (_, index) => ({ id: `r${index}`, title: `Row ${index}` }));

describe("interactive payloads, checked as Meta checks them", () => {
  beforeEach(() => simulator.setCustomer(CUSTOMER, { lastInboundHoursAgo: 1 }));

  const refusals: Array<[string, Record<string, unknown>, number, string]> = [
    ["four reply buttons", { type: "button", body: { text: "Hi" }, action: { buttons: [reply("a", "A"), reply("b", "B"), reply("c", "C"), reply("d", "D")] } }, 131009, "Number of buttons must be between 1 and 3."],
    ["a button title over 20 characters", { type: "button", body: { text: "Hi" }, action: { buttons: [reply("a", "Reschedule my booking")] } }, 131009, "Button title at index 0 is too long. Max length is 20."],
    ["two buttons with one id", { type: "button", body: { text: "Hi" }, action: { buttons: [reply("a", "A"), reply("a", "B")] } }, 131009, "Button ids must be unique."],
    ["a body over 1024 characters", { type: "button", body: { text: "x".repeat(1025) }, action: { buttons: [reply("a", "A")] } }, 131009, "interactive['body']['text'] is too long. Max length is 1024."],
    ["no body", { type: "button", action: { buttons: [reply("a", "A")] } }, 131008, "The parameter interactive['body'] is required."],
    ["eleven list rows", { type: "list", body: { text: "Hi" }, action: { button: "Menu", sections: [{ title: "A", rows: rows(6) }, { title: "B", rows: rows(5).map((row) => ({ ...row, id: `b${row.id}` })) }] } }, 131009, "Total row count exceed max allowed count: 10"],
    ["a row title over 24 characters", { type: "list", body: { text: "Hi" }, action: { button: "Menu", sections: [{ rows: [{ id: "a", title: "t".repeat(25) }] }] } }, 131009, "Row title at index 0 is too long. Max length is 24."],
    ["a row description over 72 characters", { type: "list", body: { text: "Hi" }, action: { button: "Menu", sections: [{ rows: [{ id: "a", title: "A", description: "d".repeat(73) }] }] } }, 131009, "Row description at index 0 is too long. Max length is 72."],
    ["a list button over 20 characters", { type: "list", body: { text: "Hi" }, action: { button: "b".repeat(21), sections: [{ rows: rows(1) }] } }, 131009, "interactive['action']['button'] is too long. Max length is 20."],
    ["a CTA label over 20 characters", { type: "cta_url", body: { text: "Hi" }, action: { name: "cta_url", parameters: { display_text: "d".repeat(21), url: "https://example.in" } } }, 131009, "interactive['action']['parameters']['display_text'] is too long. Max length is 20."],
    ["a location request with a footer", { type: "location_request_message", body: { text: "Hi" }, footer: { text: "f" }, action: { name: "send_location" } }, 131009, "interactive['footer'] is not allowed for this message type."],
    ["a navigate Flow without its screen", { type: "flow", body: { text: "Hi" }, action: { name: "flow", parameters: { flow_message_version: "3", flow_id: "1", flow_cta: "Go", flow_token: "t" } } }, 131008, "The parameter flow_action_payload['screen'] is required."],
  ];

  it.each(refusals)("refuses %s with Meta's code and the limit in details", async (_name, interactive, code, details) => {
    const answer = await send(interactive);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code, type: "OAuthException", error_data: { messaging_product: "whatsapp", details } });
    expect(answer.body.error.message).toMatch(new RegExp(`^\\(#${code}\\) `));
    expect(simulator.sentMessages()).toHaveLength(0);
  });

  it("accepts each kind at its limits", async () => {
    for (const interactive of [
      { type: "button", header: { type: "text", text: "h".repeat(60) }, body: { text: "x".repeat(1024) }, footer: { text: "f".repeat(60) }, action: { buttons: [reply("a", "a".repeat(20)), reply("b", "B"), reply("c", "C")] } },
      { type: "list", body: { text: "x".repeat(4096) }, action: { button: "b".repeat(20), sections: [{ title: "s".repeat(24), rows: rows(10) }] } },
      { type: "cta_url", body: { text: "Pay" }, action: { name: "cta_url", parameters: { display_text: "Pay now", url: "https://pay.example.in/1" } } },
      { type: "location_request_message", body: { text: "Where?" }, action: { name: "send_location" } },
      { type: "flow", body: { text: "Book" }, action: { name: "flow", parameters: { flow_message_version: "3", flow_id: "1", flow_cta: "Book", flow_token: "t", flow_action: "data_exchange" } } },
    ]) {
      const answer = await send(interactive);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }
    expect(simulator.sentMessages()).toHaveLength(5);
  });
});

describe("block_users, as Meta's Block users page describes it", () => {
  const block = (method: string, ...users: string[]) => graph(method, "block_users", { messaging_product: "whatsapp", block_users: users.map((user) => ({ user })) });

  it("blocks a customer who wrote in the last 24 hours, lists and unblocks them", async () => {
    simulator.setCustomer(CUSTOMER, { lastInboundHoursAgo: 2 });
    expect(await block("POST", CUSTOMER)).toEqual({ status: 200, body: { messaging_product: "whatsapp", block_users: { added_users: [{ input: CUSTOMER, wa_id: CUSTOMER }] } } });
    expect((await graph("GET", "block_users")).body).toEqual({ data: [{ block_users: [{ input: CUSTOMER, wa_id: CUSTOMER }] }] });
    // Meta: "Your business cannot message the user."
    const refused = await graph("POST", "messages", { messaging_product: "whatsapp", to: CUSTOMER, type: "text", text: { body: "Hi" } });
    expect(refused.status).toBe(400);
    expect((await block("DELETE", CUSTOMER)).body.block_users).toEqual({ removed_users: [{ input: CUSTOMER, wa_id: CUSTOMER }] });
    expect((await graph("GET", "block_users")).body).toEqual({ data: [{ block_users: [] }] });
  });

  it("refuses a customer who has not written for 24 hours, with 139100 and the user's own reason", async () => {
    simulator.setCustomer(CUSTOMER, { lastInboundHoursAgo: 25 });
    const answer = await block("POST", CUSTOMER);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      block_users: { added_users: [], failed_users: [{ input: CUSTOMER, wa_id: CUSTOMER, errors: [{ code: 131047, message: "Re-engagement required", error_data: { details: "User has not messaged in the last 24 hours" } }] }] },
      error: { code: 139100, message: "(#139100) Failed to block/unblock users" },
    });
    expect(simulator.blockedUsers()).toEqual([]);
  });
});
