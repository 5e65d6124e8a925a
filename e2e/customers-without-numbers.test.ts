// A customer who writes with a WhatsApp username and no visible number, end to end: Meta's
// signed delivery (the simulator's), the live inbox, the agent's answer addressed by BSUID
// (Meta's `recipient`), and the conversation file — also after a rebuild.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationFilePath, rebuildConversationFiles, type ConversationFile } from "../server/storage/conversation-files.ts";
import { eventually } from "../server/tests/support/eventually.ts";
import { openSignedInPage, type SignedInPage } from "./whatsapp-harness.ts";

const SHEENA = { userId: "IN.1502576394655843", username: "sheena_n", name: "Sheena Nelson" };

let signedIn: SignedInPage;
beforeAll(async () => {
  signedIn = await openSignedInPage("/inbox");
  await signedIn.page.getByRole("heading", { name: "Inbox" }).waitFor();
});
afterAll(() => signedIn?.stop());

describe("a customer whose number is hidden behind a username", () => {
  it("appears live, is answered from the inbox by BSUID, and is mirrored to a file named by it", async () => {
    const { page, bed } = signedIn;
    const db = bed.server.app.db;
    // The page is open before the customer writes: the conversation must arrive live.
    await bed.simulator.sendInbound({ user_id: SHEENA.userId, username: SHEENA.username, name: SHEENA.name, type: "text", text: "Is the blue kurta in stock?" });
    const option = page.getByRole("listbox", { name: "Conversations" }).getByRole("option", { name: /^Sheena Nelson/ });
    await option.waitFor({ timeout: 5_000 });
    await option.click();
    const chat = page.getByRole("log", { name: "Messages" });
    await chat.getByText("Is the blue kurta in stock?").waitFor();
    // Where the number would be: the username, and why there is no number.
    const header = page.locator("header.head");
    await header.getByText("@sheena_n").waitFor();
    await header.getByText("(number hidden)").waitFor();
    // No number, so nothing to open wa.me with.
    const details = page.getByRole("complementary", { name: "Contact details" });
    await details.getByText("Number hidden").waitFor();
    expect(await details.getByRole("link", { name: "Open in WhatsApp" }).count()).toBe(0);

    const reply = "Yes! In all sizes.";
    const composer = page.getByRole("textbox", { name: "Type a message" });
    await composer.fill(reply);
    await composer.press("Enter");
    const sent = await eventually(() => bed.simulator.sentMessages().find((message) => message.body === reply), "the reply at Meta");
    expect(sent.request).toMatchObject({ recipient: SHEENA.userId, type: "text" });
    expect(sent.request).not.toHaveProperty("to");
    // Meta reports it by recipient_user_id: the ticks still reach blue.
    await page.locator(".bubble--out", { hasText: reply }).getByRole("img", { name: "Read" }).waitFor({ timeout: 10_000 });

    await bed.server.app.mirror.flush();
    const conversation = await db.conversation.findFirstOrThrow({ where: { userId: SHEENA.userId } });
    const file = JSON.parse(await readFile(conversationFilePath(bed.server.app.config.CONVERSATIONS_DIR, conversation.workspaceId, SHEENA.userId), "utf8")) as ConversationFile;
    expect(file).toMatchObject({ phone: null, waId: null, userId: SHEENA.userId, username: SHEENA.username });
    expect(file.messages.map((message) => [message.direction, message.text])).toEqual([
      ["inbound", "Is the blue kurta in stock?"],
      ["outbound", reply],
    ]);

    const rebuilt = await mkdtemp(path.join(tmpdir(), "bsuid-e2e-"));
    try {
      await rebuildConversationFiles(db, rebuilt);
      expect(JSON.parse(await readFile(conversationFilePath(rebuilt, conversation.workspaceId, SHEENA.userId), "utf8"))).toEqual(file);
    } finally {
      await rm(rebuilt, { recursive: true, force: true });
    }

    // No number to link them by: the contact made from the conversation is linked to it all the same.
    await details.getByRole("link", { name: "Create contact" }).click();
    await page.getByRole("heading", { name: "New contact" }).waitFor();
    expect(await page.getByLabel("WhatsApp number").inputValue()).toBe("");
    await page.getByLabel("Name").fill("Sheena Nelson (CRM)");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "Sheena Nelson (CRM)", level: 1 }).waitFor();
    const contact = await db.contact.findFirstOrThrow({ where: { name: "Sheena Nelson (CRM)" } });
    expect(contact.whatsappNumber).toBeNull();
    expect((await db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).contactId).toBe(contact.id);
  });
});
