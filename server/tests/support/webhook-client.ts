// Delivers webhooks to a test server exactly as Meta does: signed over the raw bytes.
import { signPayload } from "../../whatsapp/signature.ts";
import type { TestServer } from "./harness.ts";
import { TEST_APP_SECRET, TEST_PHONE_NUMBER_ID } from "./webhook-fixtures.ts";

/** The environment a test server needs to accept webhooks for TEST_PHONE_NUMBER_ID. */
export const WEBHOOK_ENV = {
  WHATSAPP_APP_SECRET: TEST_APP_SECRET,
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: "verify-me",
  WHATSAPP_PHONE_ID: TEST_PHONE_NUMBER_ID,
  WHATSAPP_TOKEN: "test-access-token",
  WHATSAPP_BUSINESS_ACCOUNT_ID: "102290129340398",
};

export async function deliverWebhook(
  server: TestServer,
  payload: unknown,
  options: { signature?: string | null; raw?: string } = {},
) {
  const body = options.raw ?? JSON.stringify(payload);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const signature = options.signature === undefined ? signPayload(body, TEST_APP_SECRET) : options.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const response = await fetch(`${server.url}/api/whatsapp/webhook`, { method: "POST", headers, body });
  return { status: response.status, body: await response.text() };
}
