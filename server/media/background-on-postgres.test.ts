// The work a delivery sets off runs its own SQL on the driver (issue 16: Prisma's client cost as
// much of the thread as the delivery itself): media downloads and the auto-reply check, each
// written once for both databases. SQLite runs them in media.test.ts and autoreply.test.ts; this
// runs them on PostgreSQL, which types parameters, booleans and counts differently.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../tests/support/postgres.ts";
import { eventually, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";

let postgres: TestPostgres;
let whatsapp: SimulatedWhatsApp;
const db = () => whatsapp.server.app.db;

beforeAll(async () => {
  postgres = await startPostgres();
  whatsapp = await startWithSimulator({ DATABASE_URL: await postgres.createDatabase("background"), MEDIA_RETRY_BASE_MS: "40", MEDIA_MAX_DOWNLOAD_ATTEMPTS: "3" });
});
afterAll(async () => {
  await whatsapp?.stop();
  await postgres?.stop();
});

/** A 1×1 red PNG. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==", "base64");

describe("on PostgreSQL", () => {
  it("retries a customer's media download, then stores the exact bytes", async () => {
    whatsapp.simulator.failMediaDownloads(503, 2);
    const { httpStatus, wamid } = await whatsapp.simulator.sendInbound({ from: "919700000101", type: "image", image: { data_base64: PNG.toString("base64") } });
    expect(httpStatus).toBe(200);
    const { id } = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid } });
    await eventually(async () => (await db().whatsAppMessage.findUniqueOrThrow({ where: { id } })).mediaState === "STORED", "the image to be stored", 8000);
    const stored = await db().whatsAppMessage.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ mediaAttempts: 3, mediaSize: PNG.length, mediaMimeType: "image/png", mediaError: null, mediaNextAttemptAt: null });
    expect(stored.mediaSha256).toBe(createHash("sha256").update(PNG).digest("hex"));
  });

  it("gives a download up as FAILED after the last attempt, with the reason", async () => {
    whatsapp.simulator.failMediaDownloads(503, 10);
    const { wamid } = await whatsapp.simulator.sendInbound({ from: "919700000102", type: "image", image: { data_base64: PNG.toString("base64") } });
    const { id } = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid } });
    await eventually(async () => (await db().whatsAppMessage.findUniqueOrThrow({ where: { id } })).mediaState === "FAILED", "the download to be given up", 8000);
    const failed = await db().whatsAppMessage.findUniqueOrThrow({ where: { id } });
    expect(failed).toMatchObject({ mediaAttempts: 3, mediaNextAttemptAt: null, mediaPath: null });
    expect(failed.mediaError).toBeTruthy();
  });

  it("answers by an enabled rule, and not once the rule is disabled", async () => {
    const workspace = await db().workspace.findFirstOrThrow();
    const rule = await db().autoReplyRule.create({ data: { workspaceId: workspace.id, kind: "KEYWORD", keywords: "price", reply: "Sarees start at ₹1,200." } });
    // Settled once idle() resolves: a reply is stored (as the outbox's row) before it is sent.
    const repliesTo = async (waId: string, text: string) => {
      expect((await whatsapp.simulator.sendInbound({ from: waId, type: "text", text })).httpStatus).toBe(200);
      await whatsapp.server.app.autoReplies.idle();
      return db().whatsAppMessage.findMany({ where: { direction: "OUTBOUND", conversation: { waId } }, select: { text: true, autoReply: true } });
    };

    expect(await repliesTo("919700000103", "price?")).toEqual([{ text: "Sarees start at ₹1,200.", autoReply: "KEYWORD" }]);
    await db().autoReplyRule.update({ where: { id: rule.id }, data: { enabled: false } });
    expect(await repliesTo("919700000104", "price?")).toEqual([]);
  });
});
