import { describe, expect, it } from "vitest";
import { ADMIN_API_TOKEN, rest, startTestServer } from "../support/harness.ts";
import { SIMULATOR_TOKEN, startSimulatorProcess } from "../support/simulated-whatsapp.ts";
import { TEST_APP_SECRET, TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "../support/webhook-fixtures.ts";

// Timing-sensitive: in the cluster suite, whose files run one at a time on a quiet machine.
const asAdmin = { token: ADMIN_API_TOKEN };

describe("the per-number rate limit", () => {
  it("never lets more than the configured messages per second reach Meta", async () => {
    const meta = await startSimulatorProcess("http://127.0.0.1:9/not-started-yet");
    const product = await startTestServer({
      WHATSAPP_TOKEN: SIMULATOR_TOKEN,
      WHATSAPP_PHONE_ID: TEST_PHONE_NUMBER_ID,
      WHATSAPP_BUSINESS_ACCOUNT_ID: TEST_WABA_ID,
      WHATSAPP_APP_SECRET: TEST_APP_SECRET,
      WHATSAPP_API_BASE_URL: meta.url,
      WHATSAPP_SEND_RATE_PER_SECOND: "20",
    });
    try {
      await meta.control("POST", "/settings", { webhookUrl: `${product.url}/api/whatsapp/webhook` });
      await meta.control("POST", "/inbound", { from: "919855500000", type: "text", text: "hi" });
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          rest(product, "POST", "/api/whatsapp/send", { phoneNumber: "+919855500000", message: `burst ${index}` }, asAdmin),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
      const { messages } = await meta.control<{ messages: Array<{ atMs: number }> }>("GET", "/messages");
      const arrivals = messages.map((message) => message.atMs).sort((a, b) => a - b);
      expect(arrivals).toHaveLength(50);
      const busiestSecond = Math.max(...arrivals.map((start) => arrivals.filter((at) => at >= start && at < start + 1000).length));
      expect(busiestSecond).toBeLessThanOrEqual(20);
    } finally {
      await product.stop();
      await meta.stop();
    }
  });
});
