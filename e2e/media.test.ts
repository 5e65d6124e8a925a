import { createHash } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "./browser.ts";
import { logIn, startWhatsAppTestBed, type WhatsAppTestBed } from "./whatsapp-harness.ts";

const MEERA = "919845012345";
/** A 4×4 blue PNG: small, and a real image the browser decodes (naturalWidth 4). */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGMQyTsBRwzEcQANUhShgzbxvgAAAABJRU5ErkJggg==", "base64");

let bed: WhatsAppTestBed;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  bed = await startWhatsAppTestBed();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await bed.simulator.sendInbound({ from: MEERA, name: "Meera Iyer", type: "text", text: "Hello, do you have this kurta in blue?" });
  await logIn(page, `${bed.server.url}/inbox`);
  await page.getByRole("option", { name: /^Meera Iyer/ }).click();
  await page.getByRole("log", { name: "Messages" }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

const chat = () => page.getByRole("log", { name: "Messages" });

describe("media in the inbox", () => {
  it("shows the photo a customer sends inline, once downloaded, without a reload", async () => {
    await bed.simulator.sendInbound({ from: MEERA, name: "Meera Iyer", type: "image", image: { caption: "This one", data_base64: PNG.toString("base64") } });
    await chat().getByText("This one").waitFor();
    const photo = chat().getByRole("img", { name: /Photo/ });
    await photo.waitFor({ timeout: 10_000 });
    // Decoded by the browser from our copy: the bytes came through the Cloud API, the token and our server.
    await expect.poll(() => photo.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth)).toBe(4);
    expect(await chat().getByRole("link", { name: /Photo/ }).getAttribute("href")).toMatch(/^\/api\/media\//);
    await screenshot(page, "media-inbound-photo");
  });

  it("uploads an agent's PNG with a progress bar, and the customer's WhatsApp receives it with its caption", async () => {
    await page.locator('input[type="file"]').setInputFiles({ name: "kurta-blue.png", mimeType: "image/png", buffer: PNG });
    const attachment = page.getByRole("region", { name: "Attachment: kurta-blue.png" });
    await attachment.getByRole("img", { name: "Preview of kurta-blue.png" }).waitFor();
    await attachment.getByLabel("Caption for the photo").fill("Yes, in blue!");
    // A small file uploads in a blink: record that the progress bar showed at all.
    await page.evaluate(() => {
      new MutationObserver(() => {
        if (document.querySelector('progress[aria-label="Uploading kurta-blue.png"]')) (window as unknown as { sawProgress: boolean }).sawProgress = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    await attachment.getByRole("button", { name: "Send photo" }).click();
    await attachment.waitFor({ state: "detached", timeout: 10_000 });

    const sentPhoto = () => bed.simulator.sentMessages().find((message) => message.to === MEERA && message.type === "image");
    await expect.poll(sentPhoto, { timeout: 10_000 }).toBeTruthy();
    const sent = sentPhoto()!;
    expect(await page.evaluate(() => (window as unknown as { sawProgress?: boolean }).sawProgress)).toBe(true);
    expect(sent.request.image).toMatchObject({ caption: "Yes, in blue!", id: expect.stringMatching(/^\d+$/) });
    // The id is one the simulated Cloud API handed out for exactly these bytes.
    expect(bed.simulator.mediaInfo(sent.request.image!.id!)).toMatchObject({
      mimeType: "image/png",
      sha256: createHash("sha256").update(PNG).digest("hex"),
    });
    // The agent sees their own photo in the chat.
    await chat().getByText("Yes, in blue!").waitFor();
    await expect.poll(() => chat().getByRole("img", { name: /Photo/ }).count()).toBe(2);
    await screenshot(page, "media-outbound-photo");
  });

  it("refuses a file WhatsApp would refuse before uploading it", async () => {
    await page.locator('input[type="file"]').setInputFiles({ name: "notes.zip", mimeType: "application/zip", buffer: Buffer.from("PK") });
    const attachment = page.getByRole("region", { name: "Attachment: notes.zip" });
    await expect.poll(() => attachment.getByRole("alert").textContent()).toMatch(/WhatsApp cannot send application\/zip files/);
    await attachment.getByRole("button", { name: "Remove" }).click();
    await attachment.waitFor({ state: "detached" });
  });
});
