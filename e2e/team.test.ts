import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "./browser.ts";
import { logIn, startWhatsAppTestBed, type WhatsAppTestBed } from "./whatsapp-harness.ts";

// A team forms: the admin invites an agent, who joins through the link in another browser;
// both watch a customer write, the admin hands the conversation over, then cuts the agent off
// and the agent's open inbox is logged out at once. A second business signs up on its own.

const MEERA = "919812345678";
const RAVI = { name: "Ravi Verma", email: "ravi@sharma-textiles.example", password: "ravi's password" };

let bed: WhatsAppTestBed;
let browser: Browser;
let admin: Page;
let agent: Page;

beforeAll(async () => {
  bed = await startWhatsAppTestBed({ ALLOW_SIGNUP: "true" });
  browser = await launchBrowser();
  admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  agent = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await logIn(admin, `${bed.server.url}/team`);
  await admin.getByRole("heading", { name: "Team", exact: true }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

const option = (page: Page, name: RegExp) => page.getByRole("option", { name });
const workflowBar = (page: Page) => page.getByRole("group", { name: "Conversation workflow" });

describe("a team", () => {
  let link = "";

  it("lets the admin invite an agent and copy the link from the Team page", async () => {
    await admin.getByLabel("Name").fill(RAVI.name);
    await admin.getByLabel("Email").fill(RAVI.email);
    await admin.getByLabel("Role", { exact: true }).selectOption({ label: "Agent" });
    await admin.getByRole("button", { name: "Create invitation link" }).click();
    const issued = admin.getByTestId("issued-link");
    await issued.waitFor();
    link = await issued.getByLabel("Link").inputValue();
    expect(link).toMatch(new RegExp(`^${bed.server.url}/invite/[A-Za-z0-9_-]{40,}$`));
    await admin.getByRole("region", { name: "Pending invitations" }).getByText(RAVI.email).waitFor();
    await screenshot(admin, "team-invited");
  });

  it("lets the agent join through the link in another browser, straight into the inbox", async () => {
    await agent.goto(link);
    await agent.getByRole("heading", { name: "Join My business" }).waitFor();
    await agent.getByLabel("Password").fill("short");
    await agent.getByLabel("Password").fill(RAVI.password);
    await agent.getByRole("button", { name: "Join" }).click();
    await agent.getByRole("heading", { name: "Inbox" }).waitFor();
    // Agents are not offered what only admins do.
    expect(await agent.getByRole("link", { name: "Team" }).count()).toBe(0);
    expect(await agent.getByRole("link", { name: "Automation" }).count()).toBe(0);
  });

  it("shows both a customer's message live; the admin assigns it and it appears under the agent's Mine", async () => {
    await admin.getByRole("link", { name: "Inbox" }).click();
    await admin.getByRole("heading", { name: "Inbox" }).waitFor();
    await bed.simulator.sendInbound({ from: MEERA, name: "Meera Iyer", type: "text", text: "Is the blue silk in stock?" });
    await option(admin, /^Meera Iyer/).waitFor({ timeout: 5_000 });
    await option(agent, /^Meera Iyer/).waitFor({ timeout: 5_000 });

    await agent.getByRole("tab", { name: "Mine" }).click();
    // The list answers the Mine filter a moment after the click: until then it shows the previous tab's.
    await agent.getByRole("tab", { name: "Mine", selected: true }).waitFor();
    await expect.poll(() => option(agent, /^Meera Iyer/).count(), { timeout: 5_000 }).toBe(0);
    await option(admin, /^Meera Iyer/).click();
    await workflowBar(admin).getByLabel("Assigned to").selectOption({ label: RAVI.name });
    await option(agent, /^Meera Iyer/).waitFor({ timeout: 5_000 });
    await screenshot(agent, "team-agent-mine");
  });

  it("logs the agent's open inbox out at once when the admin deactivates them", async () => {
    await admin.getByRole("link", { name: "Team" }).click();
    const row = admin.locator(`tr[data-email="${RAVI.email}"]`);
    await row.getByRole("button", { name: "Deactivate" }).click();
    await row.getByText("Deactivated").waitFor();
    // No reload, no click: the closed socket tells the inbox.
    await agent.waitForURL(/\/login/, { timeout: 5_000 });
    await agent.getByLabel("Email").fill(RAVI.email);
    await agent.getByLabel("Password").fill(RAVI.password);
    await agent.getByRole("button", { name: "Log in" }).click();
    await agent.getByText("This account has been deactivated").waitFor();
    expect(await bed.server.app.db.conversation.count({ where: { waId: MEERA, assigneeId: { not: null } } })).toBe(0);
  });
});

describe("a second business", () => {
  it("signs up on its own and sees only its own team", async () => {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 800 } })).newPage();
    await page.goto(`${bed.server.url}/login`);
    await page.getByRole("link", { name: "Create your inbox" }).click();
    await page.getByLabel("Business name").fill("Mehta Sweets");
    await page.getByLabel("Your name").fill("Anita Mehta");
    await page.getByLabel("Email").fill("anita@mehta.example");
    await page.getByLabel(/^Password/).fill("sweet password");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.getByRole("heading", { name: "Team", exact: true }).waitFor();
    const people = page.getByRole("region", { name: "People" });
    await people.getByText("anita@mehta.example").waitFor();
    expect(await people.getByText(RAVI.email).count()).toBe(0);
    // Nothing wider than the phone: the table scrolls inside its panel.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "team-signup-phone");
  });
});
