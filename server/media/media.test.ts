import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_API_TOKEN, createOtherWorkspace, graphql, loginAs } from "../tests/support/harness.ts";
import { eventually, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";
import { IMAGE_MAX_BYTES } from "./limits.ts";

let whatsapp: SimulatedWhatsApp;
const server = () => whatsapp.server;
const simulator = () => whatsapp.simulator;
const db = () => whatsapp.server.app.db;

beforeAll(async () => {
  whatsapp = await startWithSimulator({ MEDIA_RETRY_BASE_MS: "40", MEDIA_MAX_DOWNLOAD_ATTEMPTS: "3" });
});
afterAll(() => whatsapp.stop());

/** A 1×1 red PNG. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==", "base64");
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

let customerSequence = 0;
const nextCustomer = () => `9197000${String(++customerSequence).padStart(5, "0")}`;

const MESSAGE_MEDIA = `query ($conversationId: ID!) { messages(conversationId: $conversationId, last: 10) { edges { node {
  id type text media { state url mimeType filename size error } } } } }`;

/** A customer sends media; answers our message id and Meta's media id. */
async function customerSends(type: "image" | "audio" | "document", media: Record<string, unknown> = {}) {
  const from = nextCustomer();
  const { httpStatus, wamid } = await simulator().sendInbound({ from, type, [type]: media });
  expect(httpStatus).toBe(200);
  const message = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid } });
  return { message, mediaId: message.mediaId!, from };
}

async function mediaOf(conversationId: string, messageId: string) {
  const answer = await graphql(server(), MESSAGE_MEDIA, { conversationId });
  return answer.data.messages.edges.find((edge: { node: { id: string } }) => edge.node.id === messageId)!.node.media;
}

const stateOf = async (messageId: string) => (await db().whatsAppMessage.findUniqueOrThrow({ where: { id: messageId } })).mediaState;
const fetchMedia = (messageId: string, headers: Record<string, string> = { authorization: `Bearer ${ADMIN_API_TOKEN}` }) =>
  fetch(`${server().url}/api/media/${messageId}`, { headers });

describe("media customers send", () => {
  it("stores the message at once with its media pending, retries failed downloads, then serves the exact bytes inline", async () => {
    simulator().failMediaDownloads(503, 2);
    const { message } = await customerSends("image", { data_base64: PNG.toString("base64"), caption: "My order" });
    // The message is there before any download succeeded: the chat shows it, with a placeholder.
    expect(message).toMatchObject({ type: "image", text: "My order", mediaState: "PENDING" });
    const pending = await mediaOf(message.conversationId, message.id);
    expect(pending).toMatchObject({ state: "PENDING", url: null, mimeType: "image/png" });

    await eventually(async () => (await stateOf(message.id)) === "STORED", "the image to be stored", 8000);
    const stored = await db().whatsAppMessage.findUniqueOrThrow({ where: { id: message.id } });
    expect(stored.mediaAttempts).toBe(3);
    expect(await mediaOf(message.conversationId, message.id)).toEqual({
      state: "STORED",
      url: `/api/media/${message.id}`,
      mimeType: "image/png",
      filename: null,
      size: PNG.length,
      error: null,
    });

    const response = await fetchMedia(message.id);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("content-disposition")).toBe("inline");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toMatch(/^private/);
  });

  it("tells the open chat when the media arrives (messageUpdated)", async () => {
    const events: string[] = [];
    const unsubscribe = server().app.pubsub.subscribe("inbox", (await db().workspace.findFirstOrThrow()).id);
    const reading = (async () => {
      for await (const event of unsubscribe) {
        if (event.type === "messageUpdated") events.push(event.messageId);
        if (events.length > 0) break;
      }
    })();
    const { message } = await customerSends("image");
    await eventually(async () => events.includes(message.id), "a messageUpdated event for the image");
    await unsubscribe.return?.();
    await reading;
  });

  it("marks media Meta no longer has as EXPIRED", async () => {
    simulator().failMediaDownloads(500, 1);
    const { message, mediaId } = await customerSends("image");
    simulator().expireMedia(mediaId);
    await eventually(async () => (await stateOf(message.id)) === "EXPIRED", "the image to expire", 8000);
    const media = await mediaOf(message.conversationId, message.id);
    expect(media).toMatchObject({ state: "EXPIRED", url: null, error: expect.stringContaining("expired") });
    const response = await fetchMedia(message.id);
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ state: "EXPIRED" });
  });

  it("gives up as FAILED after MEDIA_MAX_DOWNLOAD_ATTEMPTS, with the reason", async () => {
    simulator().failMediaDownloads(500, 3);
    const { message } = await customerSends("image");
    await eventually(async () => (await stateOf(message.id)) === "FAILED", "the download to be given up", 8000);
    const stored = await db().whatsAppMessage.findUniqueOrThrow({ where: { id: message.id } });
    expect(stored).toMatchObject({ mediaAttempts: 3, mediaNextAttemptAt: null, mediaError: expect.stringContaining("500") });
  });

  it("serves audio in ranges and documents as downloads with their file name", async () => {
    const voice = Buffer.from("OggS fake opus voice note bytes");
    const audio = await customerSends("audio", { data_base64: voice.toString("base64"), voice: true });
    const document = await customerSends("document", { filename: "इनवॉइस March.pdf" });
    await eventually(async () => (await stateOf(audio.message.id)) === "STORED" && (await stateOf(document.message.id)) === "STORED", "both files");

    const range = await fetchMedia(audio.message.id, { authorization: `Bearer ${ADMIN_API_TOKEN}`, range: "bytes=0-3" });
    expect(range.status).toBe(206);
    expect(range.headers.get("content-range")).toBe(`bytes 0-3/${voice.length}`);
    expect(Buffer.from(await range.arrayBuffer()).toString()).toBe("OggS");
    expect(range.headers.get("content-type")).toBe("audio/ogg");

    const file = await fetchMedia(document.message.id);
    expect(file.headers.get("content-type")).toBe("application/pdf");
    expect(file.headers.get("content-disposition")).toBe(
      `attachment; filename="______ March.pdf"; filename*=UTF-8''${encodeURIComponent("इनवॉइस March.pdf")}`,
    );
  });

  it("serves a file only to agents of the message's workspace", async () => {
    const { message } = await customerSends("image");
    await eventually(async () => (await stateOf(message.id)) === "STORED", "the image");
    expect((await fetchMedia(message.id, {})).status).toBe(401);
    const other = await createOtherWorkspace(server());
    const foreign = await fetchMedia(message.id, { authorization: `Bearer ${other.token}` });
    expect(foreign.status).toBe(404);
    const session = await loginAs(server());
    expect((await fetchMedia(message.id, { cookie: session.cookie })).status).toBe(200);
    expect((await fetchMedia("no-such-message")).status).toBe(404);
  });
});

const upload = (body: Uint8Array | string, type: string, filename = "photo.png", token = ADMIN_API_TOKEN) =>
  fetch(`${server().url}/api/media/uploads?filename=${encodeURIComponent(filename)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": type },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });

const SEND_MEDIA = `mutation ($input: SendWhatsAppMediaInput!) { sendWhatsAppMedia(input: $input) {
  __typename
  ... on SendWhatsAppSuccess { messageId whatsAppMessage { id type text media { state url mimeType size } } }
  ... on Error { message }
} }`;

describe("media agents send", () => {
  const mediaFiles = () => readdirSync(path.join(server().dir, "media"), { recursive: true }).map(String);

  it("refuses files WhatsApp would refuse, before storing or uploading anything", async () => {
    const before = { files: mediaFiles(), uploads: simulator().requests().filter((request) => request.path.endsWith("/media")).length };
    const zip = await upload("PK\u0003\u0004", "application/zip", "archive.zip");
    expect(zip.status).toBe(415);
    expect((await zip.json()).error).toMatch(/WhatsApp cannot send application\/zip files/);
    const big = await upload(Buffer.alloc(IMAGE_MAX_BYTES + 1, 1), "image/png", "huge.png");
    expect(big.status).toBe(413);
    expect((await big.json()).error).toBe("This image is 5 MB: WhatsApp takes at most 5 MB");
    const staticSticker = await upload(Buffer.concat([Buffer.from("RIFF\0\0\0\0WEBPVP8 "), Buffer.alloc(150 * 1024)]), "image/webp", "s.webp");
    expect(staticSticker.status).toBe(413);
    expect((await staticSticker.json()).error).toMatch(/static sticker .* at most 100 KB/);
    expect((await upload(Buffer.alloc(0), "image/png")).status).toBe(400);
    const anonymous = await fetch(`${server().url}/api/media/uploads`, { method: "POST", headers: { "content-type": "image/png" }, body: PNG });
    expect(anonymous.status).toBe(401);
    expect(mediaFiles().filter((file) => !file.includes("upload-") && !before.files.includes(file))).toEqual([]);
    expect(simulator().requests().filter((request) => request.path.endsWith("/media"))).toHaveLength(before.uploads);
  });

  it("uploads an agent's image to the Cloud API and sends it with its media id and caption", async () => {
    const waId = nextCustomer();
    await simulator().sendInbound({ from: waId, type: "text", text: "Send me a photo" });
    const answer = await upload(PNG, "image/png", "shirt.png");
    expect(answer.status).toBe(201);
    const uploaded = await answer.json();
    expect(uploaded).toMatchObject({ success: true, kind: "image", mimeType: "image/png", filename: "shirt.png", size: PNG.length });
    expect(simulator().mediaInfo(uploaded.mediaId)).toMatchObject({ mimeType: "image/png", sha256: sha256(PNG), size: PNG.length });

    const sent = await graphql(server(), SEND_MEDIA, { input: { phoneNumber: `+${waId}`, mediaId: uploaded.mediaId, caption: "Blue, size M" } });
    const result = sent.data.sendWhatsAppMedia;
    expect(result).toMatchObject({ __typename: "SendWhatsAppSuccess", whatsAppMessage: { type: "image", text: "Blue, size M" } });
    expect(result.whatsAppMessage.media).toMatchObject({ state: "STORED", mimeType: "image/png", size: PNG.length });
    const atMeta = simulator().sentMessages().filter((message) => message.to === waId);
    expect(atMeta.map((message) => message.request.image)).toEqual([{ id: uploaded.mediaId, caption: "Blue, size M" }]);
    // The agent sees their own attachment: served from our copy.
    const own = await fetchMedia(result.whatsAppMessage.id);
    expect(Buffer.from(await own.arrayBuffer())).toEqual(PNG);
  });

  it("refuses a media id that was not uploaded by this workspace, and captions on audio", async () => {
    const waId = nextCustomer();
    await simulator().sendInbound({ from: waId, type: "text", text: "Hi" });
    const unknown = await graphql(server(), SEND_MEDIA, { input: { phoneNumber: `+${waId}`, mediaId: "123456", caption: "x" } });
    expect(unknown.data.sendWhatsAppMedia).toMatchObject({ __typename: "ValidationError", message: expect.stringMatching(/No such upload/) });
    const audio = await (await upload(Buffer.from("ID3 mp3 bytes"), "audio/mpeg", "note.mp3")).json();
    const captioned = await graphql(server(), SEND_MEDIA, { input: { phoneNumber: `+${waId}`, mediaId: audio.mediaId, caption: "listen" } });
    expect(captioned.data.sendWhatsAppMedia).toMatchObject({ __typename: "ValidationError", message: "An audio file cannot have a caption" });
    expect(simulator().sentMessages().filter((message) => message.to === waId)).toEqual([]);
  });
});
