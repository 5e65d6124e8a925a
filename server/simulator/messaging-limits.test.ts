import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCloudApi, type CloudApi } from "../whatsapp/cloud-api.ts";
import { CloudApiError } from "../whatsapp/errors.ts";
import { createSimulator, type Simulator } from "./simulator.ts";

// The simulator holds a number told to (control API) to its messaging-limit tier: unique customers
// reached business-initiated in 24 hours, shared by the business account's numbers.

const TOKEN = "limits-token";
const PHONE_ID = "106540352240001";
const WABA_ID = "102290129340001";
const SECOND = { phoneNumberId: "106540352240002", businessAccountId: WABA_ID, token: "limits-second-token" };
const hello = { name: "hello_world", languageCode: "en_US", bodyParameters: [] };
const customer = (n: number) => `91990000${String(n).padStart(4, "0")}`;

let simulator: Simulator;
let api: CloudApi;
let second: CloudApi;

beforeAll(async () => {
  simulator = createSimulator({ token: TOKEN, phoneNumberId: PHONE_ID, businessAccountId: WABA_ID, appSecret: "s", webhookUrl: "http://127.0.0.1:9/nowhere" });
  const baseUrl = await simulator.start();
  api = createCloudApi({ baseUrl, version: "v23.0", token: TOKEN, phoneNumberId: PHONE_ID, businessAccountId: WABA_ID });
  second = createCloudApi({ baseUrl, version: "v23.0", ...SECOND });
});
afterAll(() => simulator.stop());
beforeEach(() => {
  simulator.reset();
  simulator.configure({ messagesPerSecond: 10_000 });
});

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${simulator.baseUrl}/_simulator${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(() => null, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(CloudApiError);
  return error as CloudApiError;
}

describe("messaging-limit tiers", () => {
  it("refuses the 51st new customer of TIER_50, but not customers already reached or writing to the business", async () => {
    const set = await control("POST", `/numbers/${PHONE_ID}/messaging-limit`, { tier: "TIER_50" });
    expect(set).toMatchObject({ status: 200, body: { messagingLimitTier: "TIER_50", enforceMessagingLimit: true } });
    for (let n = 1; n <= 50; n++) await api.sendTemplate(customer(n), hello);

    const over = await refusal(api.sendTemplate(customer(51), hello));
    expect(over).toMatchObject({ code: 131048, retryable: false });
    expect(over.details).toContain("messaging limit of 50 unique customers in 24 hours");
    // Already reached today: no new customer, so no refusal.
    await expect(api.sendTemplate(customer(7), hello)).resolves.toBeTruthy();
    // A customer who wrote in the last 24 hours is in a service window: not business-initiated.
    simulator.setCustomer(customer(52), { lastInboundHoursAgo: 1 });
    await expect(api.sendTemplate(customer(52), hello)).resolves.toBeTruthy();
    expect(simulator.sentMessages().map((message) => message.to)).not.toContain(customer(51));
  });

  it("shares the limit among the business account's numbers, and holds nothing when not enforced", async () => {
    await control("POST", "/numbers", SECOND);
    await control("POST", `/numbers/${PHONE_ID}/messaging-limit`, { tier: "TIER_50" });
    await control("POST", `/numbers/${SECOND.phoneNumberId}/messaging-limit`, { tier: "TIER_50" });
    for (let n = 1; n <= 30; n++) await api.sendTemplate(customer(n), hello);
    for (let n = 31; n <= 50; n++) await second.sendTemplate(customer(n), hello);
    expect((await refusal(second.sendTemplate(customer(99), hello))).code).toBe(131048);

    await control("POST", `/numbers/${PHONE_ID}/messaging-limit`, { tier: "TIER_50", enforce: false });
    await expect(api.sendTemplate(customer(99), hello)).resolves.toBeTruthy();
    expect((await control("POST", "/numbers/999/messaging-limit", { tier: "TIER_50" })).status).toBe(404);
    expect((await control("POST", `/numbers/${PHONE_ID}/messaging-limit`, { tier: "TIER_3" })).status).toBe(400);
  });
});
