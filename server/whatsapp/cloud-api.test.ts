// The client against the simulator over real HTTP on port 0: what it sends, and how each failure is classified.
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSimulator, type Simulator } from "../simulator/simulator.ts";
import { createCloudApi, type CloudApi, type CloudApiOptions } from "./cloud-api.ts";
import { CloudApiError, CloudApiValidationError } from "./errors.ts";

const TOKEN = "test-token-abcdefghijklmnop";
const PHONE_ID = "106540352242922";
const WABA_ID = "102290129340398";
const CUSTOMER = "919876543210";

let simulator: Simulator;
let options: CloudApiOptions;
let api: CloudApi;

beforeAll(async () => {
  simulator = createSimulator({
    token: TOKEN,
    phoneNumberId: PHONE_ID,
    businessAccountId: WABA_ID,
    appSecret: "unused-here",
    // Status webhooks are the simulator tests' business: here they go nowhere, once.
    webhookUrl: "http://127.0.0.1:9/webhook",
    statusMode: "drop",
    webhookRetryDelaysMs: [],
    templatesPageSize: 2,
  });
  const baseUrl = await simulator.start();
  options = { baseUrl, version: "v23.0", token: TOKEN, phoneNumberId: PHONE_ID, businessAccountId: WABA_ID };
  api = createCloudApi(options);
});

afterAll(() => simulator.stop());

beforeEach(() => {
  simulator.reset();
  simulator.setCustomer(CUSTOMER, { lastInboundHoursAgo: 1 });
});

/** The rejection of a promise that must fail. */
async function failure(promise: Promise<unknown>): Promise<CloudApiError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(CloudApiError);
  return error as CloudApiError;
}

const lastRequestBody = () => simulator.requests().at(-1)?.body;

describe("sending with the Cloud API client", () => {
  it("sends a text as Meta's JSON body and returns the wamid the simulator accepted", async () => {
    const result = await api.sendText(CUSTOMER, "Namaste! Your order is ready 🙏", { previewUrl: true });
    expect(lastRequestBody()).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: CUSTOMER,
      type: "text",
      text: { body: "Namaste! Your order is ready 🙏", preview_url: true },
    });
    expect(result).toEqual({ wamid: simulator.sentMessages()[0].wamid, waId: CUSTOMER, messageStatus: null });
    expect(result.wamid).toMatch(/^wamid\./);
  });

  it("adds the quoted message as context when replying", async () => {
    await api.sendText(CUSTOMER, "Yes, tomorrow", { replyToWamid: "wamid.QUOTED" });
    expect(lastRequestBody()).toMatchObject({ type: "text", context: { message_id: "wamid.QUOTED" }, text: { body: "Yes, tomorrow" } });
  });

  it("sends a template with its body parameters as one body component", async () => {
    const result = await api.sendTemplate(CUSTOMER, { name: "order_update", languageCode: "en", bodyParameters: ["Asha", "#1042"] });
    expect(lastRequestBody()).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: CUSTOMER,
      type: "template",
      template: {
        name: "order_update",
        language: { code: "en" },
        components: [{ type: "body", parameters: [{ type: "text", text: "Asha" }, { type: "text", text: "#1042" }] }],
      },
    });
    expect(result.messageStatus).toBe("accepted");
  });

  it("sends media by uploaded id and by link, and reactions", async () => {
    const id = await api.uploadMedia(new Blob(["%PDF-1.4 invoice"], { type: "application/pdf" }), "invoice.pdf");
    await api.sendMedia(CUSTOMER, { kind: "document", id, caption: "Your invoice", filename: "invoice.pdf" });
    expect(lastRequestBody()).toMatchObject({ type: "document", document: { id, caption: "Your invoice", filename: "invoice.pdf" } });
    await api.sendMedia(CUSTOMER, { kind: "image", link: "https://example.com/photo.jpg" });
    expect(lastRequestBody()).toMatchObject({ type: "image", image: { link: "https://example.com/photo.jpg" } });
    await api.sendReaction(CUSTOMER, "wamid.CUSTOMER", "👍");
    expect(lastRequestBody()).toMatchObject({ type: "reaction", reaction: { message_id: "wamid.CUSTOMER", emoji: "👍" } });
    expect(simulator.sentMessages().map((message) => message.type)).toEqual(["document", "image", "reaction"]);
  });

  it("marks a message read, with the typing indicator when asked", async () => {
    await api.markRead("wamid.CUSTOMER", { typingIndicator: true });
    expect(lastRequestBody()).toEqual({
      messaging_product: "whatsapp",
      status: "read",
      message_id: "wamid.CUSTOMER",
      typing_indicator: { type: "text" },
    });
    expect(simulator.sentMessages()).toHaveLength(0);
  });

  it("lists every template by following the paging cursors", async () => {
    const templates = await api.listTemplates();
    expect(templates.map((template) => `${template.name}/${template.language}/${template.status}`)).toEqual([
      "hello_world/en_US/APPROVED",
      "order_update/en/APPROVED",
      "appointment_reminder/en/APPROVED",
      "appointment_reminder/hi/APPROVED",
      "diwali_offer/en/PENDING",
      "loan_offer/en/REJECTED",
    ]);
    expect(templates[1].components).toEqual([{ type: "BODY", text: "Hi {{1}}, your order {{2}} has shipped." }]);
    expect(simulator.requests().filter((request) => request.path.endsWith("/message_templates"))).toHaveLength(3);
  });

  it("uploads media, resolves its URL and downloads the same bytes with the token", async () => {
    const bytes = Buffer.from("fake jpeg bytes \x00\x01\x02");
    const id = await api.uploadMedia(new Blob([bytes], { type: "image/jpeg" }), "photo.jpg");
    const info = await api.getMediaUrl(id);
    expect(info).toMatchObject({ mimeType: "image/jpeg", fileSize: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
    expect(await api.downloadMedia(info.url)).toEqual(bytes);
  });
});

describe("sending to a customer whose number is hidden", () => {
  const BSUID = "IN.1502576394655843";
  beforeEach(() => simulator.setCustomer(BSUID, { lastInboundHoursAgo: 1 }));

  it("puts the business-scoped user ID in recipient, never in to, for every kind of message", async () => {
    const sends: Array<() => Promise<unknown>> = [
      () => api.sendText(BSUID, "Hello"),
      () => api.sendTemplate(BSUID, { name: "order_update", languageCode: "en", bodyParameters: ["Asha", "#1042"] }),
      () => api.sendMedia(BSUID, { kind: "image", link: "https://example.com/photo.jpg" }),
      () => api.sendReaction(BSUID, "wamid.CUSTOMER", "👍"),
    ];
    for (const sendOne of sends) {
      const result = await sendOne();
      expect(lastRequestBody()).toMatchObject({ messaging_product: "whatsapp", recipient_type: "individual", recipient: BSUID });
      expect(lastRequestBody()).not.toHaveProperty("to");
      expect(result).toMatchObject({ waId: null });
    }
    expect(simulator.sentMessages().map((message) => message.to)).toEqual([BSUID, BSUID, BSUID, BSUID]);
  });

  it("refuses, before any request, a recipient that is neither a wa_id nor a BSUID", async () => {
    const before = simulator.requests().length;
    await expect(api.sendText("IN.../../x", "Hello")).rejects.toBeInstanceOf(CloudApiValidationError);
    expect(simulator.requests()).toHaveLength(before);
  });
});

describe("failures of the Cloud API client", () => {
  it("reports a text outside the 24-hour window as final 131047", async () => {
    simulator.setCustomer(CUSTOMER, { lastInboundHoursAgo: 25 });
    const error = await failure(api.sendText(CUSTOMER, "Hello again"));
    expect(error).toMatchObject({ code: 131047, kind: "meta", retryable: false, httpStatus: 400, title: "Re-engagement message" });
    expect(error.fbtraceId).toBeTruthy();
  });

  it("reports a number that is not on WhatsApp as final 131026", async () => {
    simulator.setCustomer(CUSTOMER, { onWhatsApp: false });
    const error = await failure(api.sendTemplate(CUSTOMER, { name: "hello_world", languageCode: "en_US", bodyParameters: [] }));
    expect(error).toMatchObject({ code: 131026, retryable: false });
  });

  it("reports the throughput limit as retryable 130429", async () => {
    simulator.forceFailures({ kind: "meta", code: 130429 });
    expect(await failure(api.sendText(CUSTOMER, "Hi"))).toMatchObject({ code: 130429, retryable: true });
    await expect(api.sendText(CUSTOMER, "Hi")).resolves.toMatchObject({ waId: CUSTOMER });
  });

  it("reports an HTTP 500 with a non-JSON body as retryable, without a code", async () => {
    simulator.forceFailures({ kind: "http", status: 500 });
    expect(await failure(api.sendText(CUSTOMER, "Hi"))).toMatchObject({ code: null, httpStatus: 500, kind: "meta", retryable: true });
  });

  it("gives up after the configured timeout and reports it as retryable", async () => {
    simulator.forceFailures({ kind: "timeout", hangMs: 5_000 });
    const impatient = createCloudApi({ ...options, timeoutMs: 300 });
    const startedMs = Date.now();
    const error = await failure(impatient.sendText(CUSTOMER, "Hi"));
    const elapsedMs = Date.now() - startedMs;
    expect(error).toMatchObject({ kind: "timeout", code: null, httpStatus: null, retryable: true });
    expect(elapsedMs).toBeGreaterThanOrEqual(250);
    expect(elapsedMs).toBeLessThan(2_000);
  });

  it("reports a wrong token as final 190 without ever showing a token", async () => {
    const wrongToken = "wrong-token-0123456789";
    const error = await failure(createCloudApi({ ...options, token: wrongToken }).sendText(CUSTOMER, "Hi"));
    expect(error).toMatchObject({ code: 190, httpStatus: 401, retryable: false });
    const everything = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
    expect(everything).not.toContain(wrongToken);
    expect(everything).not.toContain(TOKEN);
  });

  it("reports an unknown phone number id as final 100", async () => {
    const error = await failure(createCloudApi({ ...options, phoneNumberId: "999999999" }).sendText(CUSTOMER, "Hi"));
    expect(error).toMatchObject({ code: 100, httpStatus: 400, retryable: false });
    expect(error.title).toMatch(/does not exist/);
  });

  it("reports an unreachable server as a retryable network failure", async () => {
    const error = await failure(createCloudApi({ ...options, baseUrl: "http://127.0.0.1:9" }).sendText(CUSTOMER, "Hi"));
    expect(error).toMatchObject({ kind: "network", httpStatus: null, retryable: true });
  });

  it("reports a failed upload as every other request: Meta's refusal, a wrong token, no answer in time, no server", async () => {
    const file = () => new Blob(["GIF89a"], { type: "image/gif" });
    expect(await failure(api.uploadMedia(file(), "animation.gif"))).toMatchObject({ code: 100, httpStatus: 400, retryable: false });
    const pdf = () => new Blob(["%PDF-1.4"], { type: "application/pdf" });
    expect(await failure(createCloudApi({ ...options, token: "wrong-token-0123456789" }).uploadMedia(pdf(), "a.pdf"))).toMatchObject({ code: 190, httpStatus: 401 });
    // Takes the upload and never answers.
    const silent = http.createServer((request) => request.resume());
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const impatient = createCloudApi({ ...options, baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 300 });
      expect(await failure(impatient.uploadMedia(pdf(), "a.pdf"))).toMatchObject({ kind: "timeout", retryable: true });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
    expect(await failure(createCloudApi({ ...options, baseUrl: "http://127.0.0.1:9" }).uploadMedia(pdf(), "a.pdf"))).toMatchObject({ kind: "network", retryable: true });
  });

  it("uploads a file name with quotes, line breaks and non-Latin letters intact", async () => {
    const name = 'बिल "मार्च"\r\n.pdf';
    const id = await api.uploadMedia(new Blob(["%PDF-1.4"], { type: "application/pdf" }), name);
    expect(simulator.mediaInfo(id)).toMatchObject({ filename: name, mimeType: "application/pdf", size: 8 });
  });

  it("refuses arguments Meta would refuse before sending anything", async () => {
    const refusals = [
      api.sendText("+91 98765 43210", "Hi"),
      api.sendText(CUSTOMER, "x".repeat(4097)),
      api.sendText(CUSTOMER, ""),
      api.sendMedia(CUSTOMER, { kind: "image" }),
      api.sendMedia(CUSTOMER, { kind: "audio", id: "123", caption: "no captions on audio" }),
      api.sendTemplate(CUSTOMER, { name: "order_update", languageCode: "en", bodyParameters: ["line\nbreak", "x"] }),
      api.downloadMedia("https://attacker.example/steal"),
    ];
    for (const refusal of refusals) await expect(refusal).rejects.toBeInstanceOf(CloudApiValidationError);
    expect(simulator.requests()).toHaveLength(0);
    await expect(api.sendText(CUSTOMER, "x".repeat(4096))).resolves.toMatchObject({ waId: CUSTOMER });
  });
});
