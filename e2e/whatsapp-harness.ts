// The product wired to the Cloud API simulator for browser tests: Meta's side is real HTTP too.
import type { Browser, Page } from "playwright-core";
import { createSimulator, type Simulator } from "../server/simulator/simulator.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestServer, type TestServer } from "../server/tests/support/harness.ts";
import { createCloudApi } from "../server/whatsapp/cloud-api.ts";
import { launchBrowser } from "./browser.ts";

export const CREDENTIALS = {
  token: "e2e-access-token",
  phoneNumberId: "106540352242922",
  businessAccountId: "102290129340398",
  appSecret: "e2e-app-secret",
};

export interface WhatsAppTestBed {
  server: TestServer;
  simulator: Simulator;
  stop(): Promise<void>;
}

/**
 * Starts the simulator, then the product pointed at it, then tells the simulator the product's
 * webhook URL (known only once the product listens). Status webhooks come quickly enough for a
 * test to watch each tick, slowly enough for each to be seen.
 */
export async function startWhatsAppTestBed(env: Record<string, string> = {}, otherPhoneNumberIds: readonly string[] = []): Promise<WhatsAppTestBed> {
  const simulator = createSimulator({
    ...CREDENTIALS,
    otherPhoneNumberIds,
    webhookUrl: "http://127.0.0.1:9/not-yet-known",
    statusDelaysMs: { sent: 300, delivered: 1000, read: 1700 },
    webhookRetryDelaysMs: [200, 500, 1000],
  });
  const simulatorUrl = await simulator.start();
  const server = await startTestServer({
    WHATSAPP_TOKEN: CREDENTIALS.token,
    WHATSAPP_PHONE_ID: CREDENTIALS.phoneNumberId,
    WHATSAPP_BUSINESS_ACCOUNT_ID: CREDENTIALS.businessAccountId,
    WHATSAPP_APP_SECRET: CREDENTIALS.appSecret,
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "e2e-verify-token",
    WHATSAPP_API_BASE_URL: simulatorUrl,
    ...env,
  });
  simulator.configure({ webhookUrl: `${server.url}/api/whatsapp/webhook` });
  return {
    server,
    simulator,
    async stop() {
      await simulator.stop();
      await server.stop();
    },
  };
}

/** Logs in through the form (as the first admin unless told otherwise), from wherever the app sent the anonymous visitor. */
export async function logIn(page: Page, url: string, credentials = { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }) {
  await page.goto(url);
  await page.waitForURL(/\/login/);
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Log in" }).click();
}

export interface SignedInPage {
  bed: WhatsAppTestBed;
  browser: Browser;
  page: Page;
  stop(): Promise<void>;
}

/** The usual start of a browser test: the test bed, a browser, and the first admin signed in at `path`. */
export async function openSignedInPage(path: string, viewport = { width: 1280, height: 900 }): Promise<SignedInPage> {
  const bed = await startWhatsAppTestBed();
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport });
  await logIn(page, `${bed.server.url}${path}`);
  return {
    bed,
    browser,
    page,
    async stop() {
      await browser.close();
      await bed.stop();
    },
  };
}
