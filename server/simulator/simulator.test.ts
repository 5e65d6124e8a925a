// The simulator over real HTTP: signed webhooks to a receiver started here, Meta's rules, the control API.
import { createHash } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCloudApi, type CloudApi } from "../whatsapp/cloud-api.ts";
import { CloudApiError } from "../whatsapp/errors.ts";
import { verifySignature } from "../whatsapp/signature.ts";
import { parseWebhook, type InboundMessage, type StatusUpdate } from "../whatsapp/webhook.ts";
import type { InboundInput } from "./inbound.ts";
import { createSimulator, type Simulator } from "./simulator.ts";
import { eventually } from "../tests/support/eventually.ts";

const TOKEN = "sim-test-token";
const APP_SECRET = "sim-test-app-secret";
const PHONE_ID = "106540352242922";
const WABA_ID = "102290129340398";
const CUSTOMER = "919876543210";
const DELAYS_MS = { sent: 20, delivered: 60, read: 100 };

interface Received {
  raw: Buffer;
  signatureValid: boolean;
  payload: unknown;
}

/** The product's side of the webhook, reduced to what Meta expects of it: verify, answer. */
class Receiver {
  received: Received[] = [];
  /** Answers to give, in order; 200 once used up. */
  answers: number[] = [];
  url = "";
  private server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks);
      const signatureValid = verifySignature(raw, request.headers["x-hub-signature-256"] as string | undefined, APP_SECRET);
      let payload: unknown = null;
      try {
        payload = JSON.parse(raw.toString("utf8"));
      } catch {
        // Hostile-input tests send broken JSON on purpose.
      }
      this.received.push({ raw, signatureValid, payload });
      response.writeHead(signatureValid ? (this.answers.shift() ?? 200) : 401).end();
    });
  });

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/api/whatsapp/webhook`;
  }

  stop() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The statuses parseWebhook accepted, as Meta's objects: the simulator must speak Meta's format. */
  statuses(): Array<{ phoneNumberId: string; status: StatusUpdate }> {
    return this.received
      .flatMap((delivery) => parseWebhook(delivery.payload))
      .flatMap((event) => (event.kind === "status" ? [{ phoneNumberId: event.phoneNumberId, status: event.raw as StatusUpdate }] : []));
  }

  /** Resolves with the status webhooks once `count` have arrived. */
  waitForStatuses(count: number, timeoutMs = 3_000) {
    return eventually(async () => this.statuses().length >= count && this.statuses(), `${count} status webhooks`, timeoutMs);
  }
}

/**
 * Waits out a period in which something must NOT happen (no further status webhook, a throughput
 * window to pass): the wait is the behaviour under test, not a guess at how long work takes.
 */
const waitOut = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const receiver = new Receiver();
let simulator: Simulator;
let api: CloudApi;

beforeAll(async () => {
  await receiver.start();
  simulator = createSimulator({
    token: TOKEN,
    phoneNumberId: PHONE_ID,
    businessAccountId: WABA_ID,
    appSecret: APP_SECRET,
    webhookUrl: receiver.url,
    statusDelaysMs: DELAYS_MS,
    webhookRetryDelaysMs: [30, 30, 30],
  });
  const baseUrl = await simulator.start();
  api = createCloudApi({ baseUrl, version: "v23.0", token: TOKEN, phoneNumberId: PHONE_ID, businessAccountId: WABA_ID });
});

afterAll(async () => {
  await simulator.stop();
  await receiver.stop();
});

beforeEach(() => {
  simulator.reset();
  receiver.received = [];
  receiver.answers = [];
});

async function failure(promise: Promise<unknown>): Promise<CloudApiError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(CloudApiError);
  return error as CloudApiError;
}

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${simulator.baseUrl}/_simulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("status webhooks", () => {
  it("arrive signed, in Meta's envelope, in the order sent, delivered, read", async () => {
    simulator.setCustomer(CUSTOMER, { lastInboundHoursAgo: 1 });
    const { wamid } = await api.sendText(CUSTOMER, "Your order has shipped");
    const statuses = await receiver.waitForStatuses(3);
    await waitOut(DELAYS_MS.read);

    expect(receiver.received.every((delivery) => delivery.signatureValid)).toBe(true);
    expect(receiver.statuses().map((event) => event.status.status)).toEqual(["sent", "delivered", "read"]);
    for (const event of statuses) {
      expect(event).toMatchObject({ phoneNumberId: PHONE_ID, status: { id: wamid, recipient_id: CUSTOMER } });
      expect(event.status.timestamp).toMatch(/^\d{10}$/);
    }
    expect(receiver.received[0].payload).toMatchObject({
      object: "whatsapp_business_account",
      entry: [{ id: WABA_ID, changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { phone_number_id: PHONE_ID } } }] }],
    });
    expect(statuses[0].status).toMatchObject({ pricing: { category: "service", pricing_model: "PMP" }, conversation: { origin: { type: "service" } } });
  });

  it("are signed over the exact bytes sent, escaped as Meta escapes them", async () => {
    await simulator.sendInbound({ from: CUSTOMER, name: "आशा", type: "text", text: "नमस्ते 🙏 https://wa.me/x" });
    const [delivery] = receiver.received;
    const raw = delivery.raw.toString("utf8");
    expect(raw).toContain("\\u0928");
    expect(raw).toContain("https:\\/\\/wa.me");
    expect(delivery.signatureValid).toBe(true);
    const reserialised = Buffer.from(JSON.stringify(delivery.payload));
    expect(verifySignature(reserialised, simulator.webhookAttempts()[0].signature ?? undefined, APP_SECRET)).toBe(false);
  });

  it("carry the send's biz_opaque_callback_data, untouched, in each of them", async () => {
    const callbackData = "outbox:0193-row {\"a\":1} ✓";
    const { wamid } = await api.sendTemplate(CUSTOMER, { name: "hello_world", languageCode: "en_US", bodyParameters: [] }, { callbackData });
    const statuses = await receiver.waitForStatuses(3);
    expect(simulator.sentMessages()[0]!.request.biz_opaque_callback_data).toBe(callbackData);
    expect(statuses.map((event) => [event.status.id, event.status.status, event.status.biz_opaque_callback_data])).toEqual([
      [wamid, "sent", callbackData],
      [wamid, "delivered", callbackData],
      [wamid, "read", callbackData],
    ]);
    // Without it, none is invented.
    receiver.received = [];
    await api.sendTemplate(CUSTOMER, { name: "hello_world", languageCode: "en_US", bodyParameters: [] });
    expect((await receiver.waitForStatuses(3)).map((event) => event.status.biz_opaque_callback_data)).toEqual([undefined, undefined, undefined]);
  });

  it("refuse callback data longer than Meta's 512 characters, and so does our client before sending", async () => {
    const response = await fetch(`${simulator.baseUrl}/v23.0/${PHONE_ID}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ messaging_product: "whatsapp", to: CUSTOMER, type: "template", template: { name: "hello_world", language: { code: "en_US" } }, biz_opaque_callback_data: "x".repeat(513) }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("biz_opaque_callback_data");
    await expect(api.sendTemplate(CUSTOMER, { name: "hello_world", languageCode: "en_US", bodyParameters: [] }, { callbackData: "x".repeat(513) })).rejects.toMatchObject({ field: "callbackData" });
    expect(simulator.sentMessages()).toHaveLength(0);
  });

  it("of a message accepted with a late answer come before the answer does", async () => {
    simulator.forceFailures({ kind: "lateAnswer", delayMs: 400, count: 1 });
    const answered = api.sendTemplate(CUSTOMER, { name: "hello_world", languageCode: "en_US", bodyParameters: [] }, { callbackData: "outbox:late" });
    const statuses = await receiver.waitForStatuses(1);
    expect(simulator.sentMessages()).toHaveLength(1);
    let answer: string | null = null;
    void answered.then(({ wamid }) => (answer = wamid));
    expect(answer).toBeNull();
    expect((await answered).wamid).toBe(statuses[0]!.status.id);
  });

  it("are not sent at all in drop mode", async () => {
    simulator.configure({ statusMode: "drop" });
    await api.sendTemplate(CUSTOMER, { name: "hello_world", languageCode: "en_US", bodyParameters: [] });
    await waitOut(DELAYS_MS.read + 100);
    expect(receiver.statuses()).toHaveLength(0);
    expect(simulator.sentMessages()).toHaveLength(1);
  });

  it("are each sent twice in duplicate mode", async () => {
    simulator.configure({ statusMode: "duplicate" });
    const { wamid } = await api.sendTemplate(CUSTOMER, { name: "hello_world", languageCode: "en_US", bodyParameters: [] });
    await receiver.waitForStatuses(6);
    await waitOut(50);
    const statuses = receiver.statuses();
    expect(statuses.map((event) => event.status.status)).toEqual(["sent", "sent", "delivered", "delivered", "read", "read"]);
    expect(new Set(statuses.map((event) => event.status.id))).toEqual(new Set([wamid]));
  });

  it("arrive read first in reorder mode, while their timestamps keep the true order", async () => {
    simulator.configure({ statusMode: "reorder" });
    await api.sendTemplate(CUSTOMER, { name: "hello_world", languageCode: "en_US", bodyParameters: [] });
    const statuses = await receiver.waitForStatuses(3);
    expect(statuses.map((event) => event.status.status)).toEqual(["read", "delivered", "sent"]);
    const timestamps = statuses.map((event) => Number(event.status.timestamp));
    expect(timestamps[0]).toBeGreaterThanOrEqual(timestamps[2]);
  });

  it("are retried with backoff until the product answers 200", async () => {
    receiver.answers = [500, 503];
    await simulator.sendInbound({ from: CUSTOMER, type: "text", text: "Hello" });
    // The simulator logs an attempt once the answer is in, just after the receiver has seen it.
    await eventually(async () => simulator.webhookAttempts().length >= 3, "three webhook attempts", 2_000);
    const attempts = simulator.webhookAttempts();
    expect(attempts.map((attempt) => [attempt.deliveryId, attempt.attempt, attempt.httpStatus])).toEqual([
      [1, 1, 500],
      [1, 2, 503],
      [1, 3, 200],
    ]);
    expect(new Set(receiver.received.map((delivery) => delivery.raw.toString()))).toHaveProperty("size", 1);
  });

  it("report a failure forced at status time as a failed status with Meta's error", async () => {
    simulator.forceFailures({ kind: "meta", code: 131026, at: "status" });
    const { wamid } = await api.sendTemplate(CUSTOMER, { name: "hello_world", languageCode: "en_US", bodyParameters: [] });
    const [event] = await receiver.waitForStatuses(1);
    await waitOut(DELAYS_MS.read);
    expect(receiver.statuses()).toHaveLength(1);
    expect(event.status).toMatchObject({ id: wamid, status: "failed", errors: [{ code: 131026, title: "Message Undeliverable" }] });
  });

  it("carry window refusals as failed statuses when refusals are set to arrive as statuses", async () => {
    simulator.configure({ refusalsAt: "status" });
    const { wamid } = await api.sendText(CUSTOMER, "Are you there?");
    const [event] = await receiver.waitForStatuses(1);
    expect(event.status).toMatchObject({ id: wamid, status: "failed", errors: [{ code: 131047 }] });
  });
});

describe("inbound customer messages", () => {
  const media = (type: "image" | "video" | "audio" | "document" | "sticker", extra: Record<string, unknown> = {}): InboundInput => ({
    from: CUSTOMER,
    type,
    [type]: extra,
  });
  const inputs: Array<[string, InboundInput]> = [
    ["text", { from: CUSTOMER, type: "text", text: "Hi, is the kurta available in M?" }],
    ["text reply with referral", {
      from: CUSTOMER,
      type: "text",
      text: { body: "This one" },
      context: { id: "wamid.BUSINESS" },
      referral: { source_url: "https://fb.me/ad", source_type: "ad", headline: "Diwali sale", body: "20% off" },
    }],
    ["image", media("image", { caption: "Like this" })],
    ["video", media("video")],
    ["voice note", media("audio", { voice: true })],
    ["document", media("document", { filename: "kyc.pdf", caption: "My KYC" })],
    ["sticker", media("sticker", { animated: true })],
    ["location", { from: CUSTOMER, type: "location", location: { latitude: 19.076, longitude: 72.8777, name: "Office", address: "Mumbai" } }],
    ["contacts", {
      from: CUSTOMER,
      type: "contacts",
      contacts: [{ name: { formatted_name: "Ravi Kumar", first_name: "Ravi" }, phones: [{ phone: "+91 99999 00000", wa_id: "919999900000", type: "CELL" }] }],
    }],
    ["reaction", { from: CUSTOMER, type: "reaction", reaction: { message_id: "wamid.BUSINESS", emoji: "❤️" } }],
    ["removed reaction", { from: CUSTOMER, type: "reaction", reaction: { message_id: "wamid.BUSINESS" } }],
    ["button reply", { from: CUSTOMER, type: "interactive", interactive: { type: "button_reply", button_reply: { id: "yes", title: "Yes" } } }],
    ["list reply", {
      from: CUSTOMER,
      type: "interactive",
      interactive: { type: "list_reply", list_reply: { id: "slot-2", title: "11:00", description: "Tomorrow" } },
    }],
    ["template quick reply", { from: CUSTOMER, type: "button", button: { text: "Track order", payload: "TRACK" }, context: { id: "wamid.TEMPLATE" } }],
    ["order", {
      from: CUSTOMER,
      type: "order",
      order: { catalog_id: "194836987003835", text: "Please deliver", product_items: [{ product_retailer_id: "sku-1", quantity: 2, item_price: 499, currency: "INR" }] },
    }],
    ["number change", { from: CUSTOMER, type: "system", system: { wa_id: "919812345678" } }],
    ["unsupported", { from: CUSTOMER, type: "unsupported" }],
  ];

  it.each(inputs)("sends a %s as a signed payload that parseWebhook accepts", async (_label, input) => {
    const result = await simulator.sendInbound({ name: "Asha", ...input });
    expect(result.httpStatus).toBe(200);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0].signatureValid).toBe(true);
    const events = parseWebhook(receiver.received[0].payload);
    expect(events).toHaveLength(1);
    const [event] = events;
    if (event.kind !== "message") throw new Error(`expected a message event, got ${event.kind}`);
    const message = event.raw as InboundMessage;
    expect(message).toMatchObject({ id: result.wamid, from: CUSTOMER, type: input.type });
    expect(message.timestamp).toMatch(/^\d{10}$/);
    expect(event).toMatchObject({ wamid: result.wamid, customer: { waId: CUSTOMER }, type: input.type });
    expect(event.customer.profileName).toBe(input.type === "system" ? null : "Asha");
    const value = (result.payload.entry[0].changes[0].value ?? {}) as Record<string, unknown>;
    expect("contacts" in value).toBe(input.type !== "system");
  });

  it("fills in what Meta adds: reply context from the business number, media ids, errors of unsupported messages", async () => {
    const reply = await simulator.sendInbound({ from: CUSTOMER, type: "text", text: "ok", context: { id: "wamid.BUSINESS" } });
    const unsupported = await simulator.sendInbound({ from: CUSTOMER, type: "unsupported" });
    const voice = await simulator.sendInbound({ from: CUSTOMER, type: "audio", audio: { voice: true } });
    const messageOf = (payload: typeof reply.payload) => parseWebhook(payload)[0];
    expect(messageOf(reply.payload)).toMatchObject({ raw: { context: { id: "wamid.BUSINESS", from: "918000000001" } } });
    expect(messageOf(unsupported.payload)).toMatchObject({ raw: { errors: [{ code: 131051 }] } });
    expect(messageOf(voice.payload)).toMatchObject({ raw: { audio: { voice: true, mime_type: "audio/ogg; codecs=opus" } } });
  });

  it("gives media a media id that resolves and downloads like Meta's", async () => {
    const bytes = Buffer.from("a customer's photo");
    const { payload } = await simulator.sendInbound({ from: CUSTOMER, type: "image", image: { data_base64: bytes.toString("base64"), mime_type: "image/jpeg" } });
    const [event] = parseWebhook(payload);
    if (event.kind !== "message" || event.content.kind !== "media") throw new Error("expected an image message");
    expect(event.content.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    const info = await api.getMediaUrl(event.content.mediaId);
    expect(info).toMatchObject({ mimeType: "image/jpeg", fileSize: bytes.length });
    expect(await api.downloadMedia(info.url)).toEqual(bytes);
    const withoutToken = await fetch(info.url);
    expect(withoutToken.status).toBe(401);
  });

  it("reports the product's answer, and retries it like any webhook", async () => {
    receiver.answers = [500];
    const result = await simulator.sendInbound({ from: CUSTOMER, type: "text", text: "Hello?" });
    expect(result.httpStatus).toBe(500);
    await eventually(async () => receiver.received.length >= 2, "the webhook to be retried", 1_000);
    expect(receiver.received.map((delivery) => delivery.raw.toString())).toEqual([
      receiver.received[0].raw.toString(),
      receiver.received[0].raw.toString(),
    ]);
  });
});

describe("Meta's rules", () => {
  it("refuses a text to a customer who never wrote, and accepts it once they write", async () => {
    expect(await failure(api.sendText(CUSTOMER, "Hello"))).toMatchObject({ code: 131047, retryable: false });
    await simulator.sendInbound({ from: CUSTOMER, type: "text", text: "Hi" });
    await expect(api.sendText(CUSTOMER, "Hello")).resolves.toMatchObject({ waId: CUSTOMER });
  });

  it("closes the window 24 hours after the customer last wrote, for texts but not templates", async () => {
    simulator.setCustomer(CUSTOMER, { lastInboundHoursAgo: 23.9 });
    await expect(api.sendText(CUSTOMER, "Still open")).resolves.toMatchObject({ waId: CUSTOMER });
    simulator.setCustomer(CUSTOMER, { lastInboundAt: new Date(Date.now() - 24 * 3_600_000 - 1_000).toISOString() });
    expect(await failure(api.sendText(CUSTOMER, "Closed"))).toMatchObject({ code: 131047 });
    expect(await failure(api.sendReaction(CUSTOMER, "wamid.X", "👍"))).toMatchObject({ code: 131047 });
    await expect(api.sendTemplate(CUSTOMER, { name: "hello_world", languageCode: "en_US", bodyParameters: [] })).resolves.toBeTruthy();
  });

  it("refuses numbers that are not on WhatsApp with 131026", async () => {
    simulator.setCustomer(CUSTOMER, { onWhatsApp: false });
    const error = await failure(api.sendTemplate(CUSTOMER, { name: "hello_world", languageCode: "en_US", bodyParameters: [] }));
    expect(error).toMatchObject({ code: 131026, retryable: false });
    expect(simulator.sentMessages()).toHaveLength(0);
  });

  it("checks templates by name, language, approval and number of body parameters", async () => {
    const send = (name: string, languageCode: string, bodyParameters: string[]) =>
      api.sendTemplate(CUSTOMER, { name, languageCode, bodyParameters });
    expect(await failure(send("no_such_template", "en", []))).toMatchObject({ code: 132001, retryable: false });
    expect(await failure(send("order_update", "hi", ["a", "b"]))).toMatchObject({ code: 132001 });
    expect(await failure(send("diwali_offer", "en", ["a", "b"]))).toMatchObject({ code: 132001 });
    expect(await failure(send("order_update", "en", ["only one"]))).toMatchObject({ code: 132000, retryable: false });
    await expect(send("appointment_reminder", "hi", ["आशा", "कल 11 बजे"])).resolves.toMatchObject({ messageStatus: "accepted" });
  });

  it("refuses more than the configured messages per second with 130429 and records each accepted arrival", async () => {
    simulator.configure({ messagesPerSecond: 5 });
    const template = { name: "hello_world", languageCode: "en_US", bodyParameters: [] };
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => api.sendTemplate(CUSTOMER, template)));
    const refused = results.filter((result) => result.status === "rejected").map((result) => (result as PromiseRejectedResult).reason);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(5);
    expect(refused.map((error: CloudApiError) => [error.code, error.retryable])).toEqual([
      [130429, true],
      [130429, true],
      [130429, true],
    ]);
    const arrivals = simulator.sentMessages().map((message) => message.atMs);
    expect(arrivals).toHaveLength(5);
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeLessThan(1_000);
    await waitOut(1_050);
    await expect(api.sendTemplate(CUSTOMER, template)).resolves.toBeTruthy();
  });

  it("refuses bodies Meta would refuse with code 100, naming the parameter", async () => {
    const post = async (body: unknown) => {
      const response = await fetch(`${simulator.baseUrl}/v23.0/${PHONE_ID}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { error: { code: number; message: string; type: string } } };
    };
    simulator.setCustomer(CUSTOMER, { lastInboundHoursAgo: 1 });
    const tooLong = await post({ messaging_product: "whatsapp", to: CUSTOMER, type: "text", text: { body: "x".repeat(4097) } });
    expect(tooLong).toMatchObject({ status: 400, body: { error: { code: 100, type: "OAuthException" } } });
    expect(tooLong.body.error.message).toBe("(#100) Param text['body'] must be at most 4096 characters long");
    expect((await post({ to: CUSTOMER, type: "text", text: { body: "hi" } })).body.error.message).toMatch(/messaging_product/);
    expect((await post({ messaging_product: "whatsapp", to: CUSTOMER, type: "image", image: {} })).body.error.message).toMatch(/id and link/);
    expect((await post({ messaging_product: "whatsapp", to: CUSTOMER, type: "image", image: { id: "404" } })).body.error.code).toBe(100);
    // 4096 characters, emoji counted as one each, is accepted.
    expect((await post({ messaging_product: "whatsapp", to: CUSTOMER, type: "text", text: { body: "🙏".repeat(4096) } })).status).toBe(200);
  });

  it("refuses a missing token with 190 on every Graph route", async () => {
    for (const path of [`/v23.0/${PHONE_ID}/messages`, `/v23.0/${WABA_ID}/message_templates`, "/v23.0/12345"]) {
      const response = await fetch(`${simulator.baseUrl}${path}`);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 190, type: "OAuthException" } });
    }
  });
});

describe("several business numbers", () => {
  const SECOND = { phoneNumberId: "300000000000003", businessAccountId: "400000000000004", token: "second-number-token" };
  const secondApi = () => createCloudApi({ baseUrl: simulator.baseUrl, version: "v23.0", ...SECOND });

  it("describes a number as Meta does, only to its own token, and refuses unknown fields with 100", async () => {
    expect((await control("POST", "/numbers", { ...SECOND, verifiedName: "Second Shop", qualityRating: "RED", isOnBizApp: true })).status).toBe(200);
    expect(await secondApi().getPhoneNumber()).toEqual({
      phoneNumberId: SECOND.phoneNumberId,
      displayPhoneNumber: "+918000000003",
      verifiedName: "Second Shop",
      qualityRating: "RED",
      throughputLevel: "STANDARD",
      messagingLimitTier: "TIER_1K",
      coexistence: true,
    });
    // The first number's token is a real token, but not this number's: "does not exist… missing permissions".
    const borrowed = createCloudApi({ baseUrl: simulator.baseUrl, version: "v23.0", ...SECOND, token: TOKEN });
    expect(await failure(borrowed.getPhoneNumber())).toMatchObject({ code: 100 });
    expect(await failure(createCloudApi({ baseUrl: simulator.baseUrl, version: "v23.0", ...SECOND, token: "never-issued" }).getPhoneNumber())).toMatchObject({ code: 190 });
    const response = await fetch(`${simulator.baseUrl}/v23.0/${SECOND.phoneNumberId}?fields=verified_name,favourite_colour`, { headers: { authorization: `Bearer ${SECOND.token}` } });
    expect(await response.json()).toMatchObject({ error: { code: 100, message: expect.stringContaining("nonexisting field (favourite_colour)") } });
  });

  it("lists a business account's numbers, subscribes the app to it, and keeps each account to its own tokens", async () => {
    simulator.addNumber(SECOND);
    expect(await secondApi().accountHasNumber()).toBe(true);
    // The first number is in another account.
    expect(await createCloudApi({ baseUrl: simulator.baseUrl, version: "v23.0", ...SECOND, phoneNumberId: PHONE_ID }).accountHasNumber()).toBe(false);
    await secondApi().subscribeApp();
    expect(simulator.subscribedAccounts()).toEqual([SECOND.businessAccountId]);
    const intruder = createCloudApi({ baseUrl: simulator.baseUrl, version: "v23.0", ...SECOND, businessAccountId: WABA_ID });
    expect(await failure(intruder.subscribeApp())).toMatchObject({ code: 100 });
    expect(simulator.subscribedAccounts()).toEqual([SECOND.businessAccountId]);
  });

  it("sends from each number with its token, and a customer's message to a number carries that number", async () => {
    simulator.addNumber(SECOND);
    await simulator.sendInbound({ phone_number_id: SECOND.phoneNumberId, from: CUSTOMER, type: "text", text: "Hi second shop" });
    const inbound = parseWebhook(receiver.received.at(-1)!.payload);
    expect(inbound[0]).toMatchObject({ kind: "message", phoneNumberId: SECOND.phoneNumberId });
    const { wamid } = await secondApi().sendText(CUSTOMER, "Hello from the second shop");
    expect(simulator.sentMessages().at(-1)).toMatchObject({ wamid, phoneNumberId: SECOND.phoneNumberId });
    const statuses = await receiver.waitForStatuses(1);
    expect(statuses[0]).toMatchObject({ phoneNumberId: SECOND.phoneNumberId, status: { id: wamid } });
    await expect(simulator.sendInbound({ phone_number_id: "999", from: CUSTOMER, type: "text", text: "?" })).rejects.toThrow(/No business number 999/);
  });

  it("holds templates per business account: one given its own lists and accepts only those", async () => {
    simulator.addNumber(SECOND);
    const own = { id: "1000000000000091", name: "second_only", language: "en", status: "APPROVED", category: "UTILITY", components: [{ type: "BODY", text: "Hi" }] };
    expect((await control("POST", "/templates", { templates: [own], businessAccountId: SECOND.businessAccountId })).status).toBe(200);
    expect((await secondApi().listTemplates()).map((template) => template.name)).toEqual(["second_only"]);
    expect((await api.listTemplates()).map((template) => template.name)).not.toContain("second_only");
    simulator.setCustomer(CUSTOMER, { lastInboundHoursAgo: 1 });
    await expect(api.sendTemplate(CUSTOMER, { name: "second_only", languageCode: "en", bodyParameters: [] })).rejects.toMatchObject({ code: 132001 });
    expect((await secondApi().sendTemplate(CUSTOMER, { name: "second_only", languageCode: "en", bodyParameters: [] })).wamid).toMatch(/^wamid\./);
  });
});

describe("the control API", () => {
  it("drives the simulator over HTTP: inbound, customers, failures, settings, lists and reset", async () => {
    const inbound = await control("POST", "/inbound", { from: CUSTOMER, name: "Asha", type: "text", text: "Hi" });
    expect(inbound).toMatchObject({ status: 200, body: { httpStatus: 200 } });
    expect(inbound.body.wamid).toMatch(/^wamid\./);

    expect(await control("POST", `/customers/${CUSTOMER}`, { onWhatsApp: true, lastInboundHoursAgo: 2 })).toMatchObject({
      status: 200,
      body: { waId: CUSTOMER, onWhatsApp: true },
    });
    expect(await control("POST", "/failures", { kind: "meta", code: 131000, count: 2 })).toMatchObject({ status: 200 });
    expect(await failure(api.sendText(CUSTOMER, "1"))).toMatchObject({ code: 131000, retryable: true });
    expect(await failure(api.sendText(CUSTOMER, "2"))).toMatchObject({ code: 131000 });
    await api.sendText(CUSTOMER, "3");

    const settings = await control("POST", "/settings", { statusMode: "drop", statusDelaysMs: { read: 5 } });
    expect(settings.body).toMatchObject({ statusMode: "drop", statusDelaysMs: { sent: DELAYS_MS.sent, read: 5 } });

    const messages = await control("GET", "/messages");
    expect(messages.body.messages).toMatchObject([{ to: CUSTOMER, type: "text", body: "3" }]);
    const requests = (await control("GET", "/requests")).body.requests as Array<{ errorCode: number | null }>;
    expect(requests.map((request) => request.errorCode)).toEqual([131000, 131000, null]);
    expect(((await control("GET", "/webhooks")).body.attempts as unknown[]).length).toBeGreaterThanOrEqual(1);

    expect(await control("POST", "/reset")).toMatchObject({ status: 200 });
    expect((await control("GET", "/messages")).body.messages).toEqual([]);
    expect(await failure(api.sendText(CUSTOMER, "window forgotten"))).toMatchObject({ code: 131047 });
  });

  it("answers 400 for invalid input and 404 for unknown routes, never a Graph error", async () => {
    const invalid = await control("POST", "/inbound", { from: "+91 98765", type: "text", text: "x" });
    expect(invalid.status).toBe(400);
    expect(String(invalid.body.error)).toMatch(/from/);
    expect((await control("POST", "/inbound", { from: CUSTOMER, type: "location" })).status).toBe(400);
    expect((await control("GET", "/nothing-here")).status).toBe(404);
  });

  it("sends raw payloads with a valid, wrong or missing signature, byte for byte", async () => {
    const valid = await control("POST", "/raw", { body: "{not json", signature: "valid" });
    const wrong = await control("POST", "/raw", { body: { object: "whatsapp_business_account", entry: [] }, signature: "wrong" });
    const missing = await control("POST", "/raw", { body: { object: "whatsapp_business_account", entry: [] }, signature: "missing" });
    expect([valid.body.httpStatus, wrong.body.httpStatus, missing.body.httpStatus]).toEqual([200, 401, 401]);
    expect(receiver.received.map((delivery) => delivery.signatureValid)).toEqual([true, false, false]);
    expect(receiver.received[0].raw.toString()).toBe("{not json");
    expect(simulator.webhookAttempts().map((attempt) => attempt.signature === null)).toEqual([false, false, true]);
  });
});
