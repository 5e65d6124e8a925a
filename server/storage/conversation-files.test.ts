import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";
import { createLogger } from "../logger.ts";
import { Writable } from "node:stream";
import pino from "pino";
import { conversationFileThread } from "./conversation-file-thread.ts";
import { CLEAN_STOP_MARKER, conversationFilePath, createConversationMirror, renderConversationFile, type ConversationFile } from "./conversation-files.ts";

let dir: string;
let url: string;
let db: Database;
let workspaceId: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "bharat-files-"));
  url = `file:${path.join(dir, "test.db")}`;
  await applyMigrations(url);
  db = createDatabase(url);
  workspaceId = (await db.workspace.create({ data: { name: "Files" } })).id;
});
afterAll(async () => {
  await db.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const logger = createLogger("silent");

async function conversationWith(waId: string, texts: string[]) {
  const conversation = await db.conversation.create({ data: { workspaceId, waId } });
  for (const [index, text] of texts.entries()) {
    await db.whatsAppMessage.create({
      data: { workspaceId, conversationId: conversation.id, direction: "INBOUND", type: "text", text, preview: text, status: "RECEIVED", timestamp: new Date(Date.UTC(2026, 10, 25, 10, 0, index)) },
    });
  }
  return conversation;
}

const readFile = (filesDir: string, waId: string) =>
  JSON.parse(readFileSync(conversationFilePath(filesDir, workspaceId, waId), "utf8")) as ConversationFile;

describe("a conversation file", () => {
  it("is named by the number's digits or a business-scoped user ID in Meta's format, and by nothing else", () => {
    expect(path.basename(conversationFilePath(dir, workspaceId, "919800000001"))).toBe("919800000001.json");
    expect(path.basename(conversationFilePath(dir, workspaceId, "IN.1502576394655843"))).toBe("IN.1502576394655843.json");
    for (const key of ["../919800000001", "IN.../etc", "IN.15/02", "in.1502576394655843", "IN.", ""]) {
      expect(() => conversationFilePath(dir, workspaceId, key), key).toThrow(/Refusing a conversation file path/);
    }
  });

  it("holds the customer, the contact and every message in order, each with what its kind shows", async () => {
    const contact = await db.contact.create({ data: { workspaceId, name: "Asha Rao", whatsappNumber: "+919800000099" } });
    const conversation = await db.conversation.create({ data: { workspaceId, waId: "919800000099", contactId: contact.id, profileName: "Asha" } });
    const at = (second: number) => new Date(Date.UTC(2026, 10, 25, 9, 0, second));
    const base = { workspaceId, conversationId: conversation.id, direction: "INBOUND" as const, status: "RECEIVED" as const };
    const photo = await db.whatsAppMessage.create({
      data: { ...base, wamid: "wamid.photo", type: "image", text: "Invoice", preview: "[Image] Invoice", mediaId: "m1", mediaMimeType: "image/jpeg", timestamp: at(1) },
    });
    await db.whatsAppMessage.create({
      data: { ...base, wamid: "wamid.place", type: "location", text: null, preview: "[Location] Shop", latitude: 12.9716, longitude: 77.5946, locationName: "Shop", locationAddress: "MG Road", contextWamid: "wamid.photo", timestamp: at(2) },
    });
    await db.whatsAppMessage.create({ data: { ...base, wamid: "wamid.like", type: "reaction", preview: "👍", reactionEmoji: "👍", reactionToWamid: "wamid.photo", timestamp: at(3) } });
    await db.whatsAppMessage.create({
      data: { ...base, direction: "OUTBOUND", status: "FAILED", wamid: null, type: "text", text: "Sorry", preview: "Sorry", errorCode: 131047, errorTitle: "Re-engagement message", timestamp: at(4) },
    });

    const file = await renderConversationFile(db, conversation.id);
    expect(file).toEqual({
      workspaceId,
      conversationId: conversation.id,
      businessPhoneNumberId: null,
      phone: "+919800000099",
      waId: "919800000099",
      userId: null,
      username: null,
      contact: { id: contact.id, name: "Asha Rao" },
      profileName: "Asha",
      messages: [
        { id: photo.id, wamid: "wamid.photo", direction: "inbound", type: "image", text: "Invoice", preview: "[Image] Invoice", status: "received", timestamp: "2026-11-25T09:00:01.000Z", media: { id: "m1", mimeType: "image/jpeg", filename: null } },
        expect.objectContaining({ type: "location", replyTo: "wamid.photo", location: { latitude: 12.9716, longitude: 77.5946, name: "Shop", address: "MG Road" } }),
        expect.objectContaining({ type: "reaction", reaction: { emoji: "👍", to: "wamid.photo" } }),
        expect.objectContaining({ direction: "outbound", wamid: null, status: "failed", timestamp: "2026-11-25T09:00:04.000Z", error: { code: 131047, title: "Re-engagement message" } }),
      ],
    });
    expect(await renderConversationFile(db, "no-such-conversation")).toBeNull();
  });
});

describe("the conversation mirror", () => {
  it("writes a burst of changes to one conversation as one file equal to the database, and flush writes at once", async () => {
    const filesDir = path.join(dir, "burst");
    const mirror = createConversationMirror(db, filesDir, logger, { coalesceMs: 60_000 });
    const conversation = await conversationWith("919800000001", ["first"]);
    for (let change = 0; change < 20; change++) mirror.schedule(conversation.id);
    await db.whatsAppMessage.create({
      data: { workspaceId, conversationId: conversation.id, direction: "INBOUND", type: "text", text: "last", preview: "last", status: "RECEIVED", timestamp: new Date(Date.UTC(2026, 10, 25, 11)) },
    });
    mirror.schedule(conversation.id);
    // Nothing yet: the change waits for others (60 s here), and flush does not.
    expect(existsSync(conversationFilePath(filesDir, workspaceId, "919800000001"))).toBe(false);
    await mirror.flush();
    expect(readFile(filesDir, "919800000001").messages.map((message) => message.text)).toEqual(["first", "last"]);
  });

  it("catches up by itself with changes that keep coming, even during a rewrite: every file ends equal to the database", async () => {
    const filesDir = path.join(dir, "steady");
    const mirror = createConversationMirror(db, filesDir, logger, { coalesceMs: 1 });
    const waIds = Array.from({ length: 2 }, (_, index) => `91960000000${index}`);
    const conversations = await Promise.all(waIds.map((waId) => conversationWith(waId, [])));
    for (let change = 0; change < 100; change++) {
      const conversation = conversations[change % conversations.length]!;
      await db.whatsAppMessage.create({
        data: { workspaceId, conversationId: conversation.id, direction: "INBOUND", type: "text", text: `change ${change}`, preview: "", status: "RECEIVED", timestamp: new Date(Date.UTC(2026, 10, 25, 12, 0, change)) },
      });
      mirror.schedule(conversation.id);
      // Lets the writer run between changes, so that some land while a file is being written.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const expected = (index: number) => Array.from({ length: 50 }, (_, round) => `change ${round * conversations.length + index}`);
    const written = (waId: string) => (existsSync(conversationFilePath(filesDir, workspaceId, waId)) ? readFile(filesDir, waId).messages.map((message) => message.text) : []);
    // No flush: the writer has to get there on its own.
    for (let waited = 0; waIds.some((waId, index) => written(waId).join() !== expected(index).join()) && waited < 5_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    waIds.forEach((waId, index) => expect(written(waId)).toEqual(expected(index)));
    await mirror.close();
  });

  it("lets a stop end the repair after a crash once its grace is over, leaving no clean-stop marker so the next start repairs again", async () => {
    const filesDir = path.join(dir, "repair");
    const waIds = Array.from({ length: 300 }, (_, index) => `91970000${String(index).padStart(4, "0")}`);
    for (const waId of waIds) await conversationWith(waId, [`hello from ${waId}`]);

    const interrupted = createConversationMirror(db, filesDir, logger, { repairGraceMs: 0 });
    await interrupted.resume();
    await interrupted.close();
    const folder = path.join(filesDir, workspaceId);
    const written = existsSync(folder) ? readdirSync(folder).filter((name) => waIds.includes(name.replace(".json", ""))) : [];
    expect(written.length).toBeLessThan(waIds.length);
    expect(existsSync(path.join(filesDir, CLEAN_STOP_MARKER))).toBe(false);

    const next = createConversationMirror(db, filesDir, logger);
    await next.resume();
    await next.flush();
    for (const waId of waIds) expect(readFile(filesDir, waId).messages[0]!.text).toBe(`hello from ${waId}`);
    await next.close();
    expect(existsSync(path.join(filesDir, CLEAN_STOP_MARKER))).toBe(true);
  });

  it("writes the files on a thread of its own, from its own connection: each file ends equal to the database, and a stop closes the thread", async () => {
    const filesDir = path.join(dir, "thread");
    const mirror = createConversationMirror(db, filesDir, logger, { coalesceMs: 1, writer: conversationFileThread(url, filesDir) });
    const conversation = await conversationWith("919800000010", ["first"]);
    mirror.schedule(conversation.id);
    await mirror.flush();
    expect(readFile(filesDir, "919800000010").messages.map((message) => message.text)).toEqual(["first"]);
    await db.whatsAppMessage.create({
      data: { workspaceId, conversationId: conversation.id, direction: "INBOUND", type: "text", text: "second", preview: "second", status: "RECEIVED", timestamp: new Date(Date.UTC(2026, 10, 25, 11)) },
    });
    mirror.schedule(conversation.id);
    await mirror.close();
    expect(readFile(filesDir, "919800000010")).toEqual(await renderConversationFile(db, conversation.id));
    expect(existsSync(path.join(filesDir, CLEAN_STOP_MARKER))).toBe(true);
  });

  it("logs a file its thread could not write, and neither a flush nor a stop waits for it", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const filesDir = path.join(dir, "broken");
    // A database the thread cannot read: every write fails there.
    const writer = conversationFileThread(`file:${path.join(dir, "missing", "folder", "none.db")}`, filesDir);
    const mirror = createConversationMirror(db, filesDir, pino({ level: "error" }, sink), { coalesceMs: 1, writer });
    const conversation = await conversationWith("919800000011", ["lost in the mirror"]);
    mirror.schedule(conversation.id);
    await mirror.flush();
    await mirror.close();
    expect(lines).toContainEqual(expect.objectContaining({ msg: "Could not write the conversation file", conversationId: conversation.id }));
    expect(existsSync(conversationFilePath(filesDir, workspaceId, "919800000011"))).toBe(false);
  });
});
