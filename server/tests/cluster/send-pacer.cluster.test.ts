import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { busiestSecond, startGraphApiStandIn } from "../support/graph-api-stand-in.ts";
import { ADMIN_API_TOKEN, rest } from "../support/harness.ts";
import { startInstances, type Instances } from "../support/instances.ts";
import { TEST_APP_SECRET, TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "../support/webhook-fixtures.ts";

const RATE_PER_SECOND = 10;
const SENDS_PER_INSTANCE = 30;
const CUSTOMER = "919810000101";

let meta: Awaited<ReturnType<typeof startGraphApiStandIn>>;
let instances: Instances;

beforeAll(async () => {
  meta = await startGraphApiStandIn();
  instances = await startInstances(2, {
    WHATSAPP_TOKEN: "stand-in-token",
    WHATSAPP_PHONE_ID: TEST_PHONE_NUMBER_ID,
    WHATSAPP_BUSINESS_ACCOUNT_ID: TEST_WABA_ID,
    WHATSAPP_APP_SECRET: TEST_APP_SECRET,
    WHATSAPP_API_BASE_URL: meta.url,
    WHATSAPP_SEND_RATE_PER_SECOND: String(RATE_PER_SECOND),
  });
});
afterAll(async () => {
  await instances?.stop();
  await meta?.stop();
});

describe("the send rate shared by two instances", () => {
  it("lets at most the limit arrive at the Graph API in any second, counted where Meta counts", async () => {
    const { db } = instances.servers[0]!.app;
    const workspace = await db.workspace.findFirstOrThrow();
    await db.conversation.create({ data: { workspaceId: workspace.id, businessPhoneNumberId: TEST_PHONE_NUMBER_ID, waId: CUSTOMER, lastInboundAt: new Date() } });

    const answers = await Promise.all(
      instances.servers.flatMap((server, instance) =>
        Array.from({ length: SENDS_PER_INSTANCE }, (_, index) =>
          rest(server, "POST", "/api/whatsapp/send", { phoneNumber: `+${CUSTOMER}`, message: `from ${instance}: ${index}` }, { token: ADMIN_API_TOKEN }),
        ),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));

    const arrivals = await meta.arrivals();
    expect(arrivals).toHaveLength(2 * SENDS_PER_INSTANCE);
    expect(busiestSecond(arrivals)).toBeLessThanOrEqual(RATE_PER_SECOND);
  });
});
