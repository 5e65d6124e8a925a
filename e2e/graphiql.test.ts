import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestServer, type TestServer } from "../server/tests/support/harness.ts";
import { launchBrowser, screenshot } from "./browser.ts";

// GraphiQL with the network cut off at our own origin, as on a laptop without internet: every
// request elsewhere (a CDN) is aborted and recorded. The page keeps the client's strict content
// security policy, whose violations the browser reports on the console.

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const elsewhere: string[] = [];
const policyViolations: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const origin = new URL(server.url).origin;
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("blob:") || url.startsWith("data:") || new URL(url).origin === origin) return route.continue();
    elsewhere.push(url);
    return route.abort("internetdisconnected");
  });
  page = await context.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) policyViolations.push(message.text());
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("GraphiQL in development", () => {
  it("sends a logged-out browser to the login page, and back to GraphiQL after logging in", async () => {
    await page.goto(`${server.url}/graphql`);
    await page.getByRole("heading", { name: "Log in to Bharat CRM" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.locator("body").textContent()).not.toMatch(/Authentication required/);

    await page.getByLabel("Email").fill(ADMIN_EMAIL);
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    const [graphiql] = await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === "/graphql" && response.request().resourceType() === "document"),
      page.getByRole("button", { name: "Log in" }).click(),
    ]);
    await page.waitForURL(`${server.url}/graphql`);
    // The client's policy, not a loosened one.
    expect(await graphiql.headerValue("content-security-policy")).toMatch(/script-src 'self'(;|$)/);
    await page.locator(".graphiql-container .monaco-editor").first().waitFor();
  });

  it("renders its editor and runs a query with nothing but our own server", async () => {
    const editor = page.locator(".graphiql-query-editor .monaco-editor").first();
    await editor.click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText("query Me { viewer { email role } }");
    await page.getByRole("button", { name: /Execute query/ }).click();
    const response = page.locator(".graphiql-response");
    await expect.poll(() => response.textContent(), { timeout: 20_000 }).toContain(ADMIN_EMAIL);
    expect(await response.textContent()).toContain("ADMIN");
    await screenshot(page, "graphiql");
    expect(elsewhere).toEqual([]);
    expect(policyViolations).toEqual([]);
  });
});
