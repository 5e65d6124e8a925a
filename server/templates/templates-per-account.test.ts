import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../tests/support/harness.ts";
import { startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";
import { deliverWebhook } from "../tests/support/webhook-client.ts";
import { TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "../tests/support/webhook-fixtures.ts";
import type { MessageTemplate } from "../whatsapp/cloud-api.ts";

// One workspace, two numbers of two business accounts (WABAs): A (the default) and B.
const B = { phoneNumberId: "300000000000013", businessAccountId: "400000000000014", token: "EAAB-waba-b-token-0123456789abcdef" };
const CUSTOMER = "919822200031";
const B_ONLY: MessageTemplate = {
  id: "1000000000000099",
  name: "b_only_offer",
  language: "en",
  status: "APPROVED",
  category: "UTILITY",
  components: [{ type: "BODY", text: "Your order {{1}} is on its way" }],
};
const SAME_NAME: MessageTemplate = { ...B_ONLY, id: "1000000000000098", name: "hello_world", language: "en_US", components: [{ type: "BODY", text: "Hello from B" }] };

let bed: SimulatedWhatsApp;
const db = () => bed.server.app.db;

const CONNECT = `mutation($input: ConnectWhatsAppNumberInput!) { connectWhatsAppNumber(input: $input) { __typename ... on Error { message } } }`;
const TEMPLATES = `query($phoneNumberId: String) { whatsappTemplates(phoneNumberId: $phoneNumberId) { name language body } }`;
const SEND = `mutation($from: String) { sendWhatsAppTemplate(input: { phoneNumber: "+${CUSTOMER}", templateName: "b_only_offer", languageCode: "en", bodyParameters: ["#42"], fromPhoneNumberId: $from }) {
  __typename ... on ValidationError { fieldErrors { field message } } ... on Error { message } } }`;

beforeAll(async () => {
  bed = await startWithSimulator();
  bed.simulator.addNumber({ ...B, verifiedName: "Business B" });
  bed.simulator.setTemplates([B_ONLY, SAME_NAME], B.businessAccountId);
  const connected = await graphql(bed.server, CONNECT, { input: { phoneNumberId: B.phoneNumberId, businessAccountId: B.businessAccountId, accessToken: B.token } });
  expect(connected.data.connectWhatsAppNumber.__typename).toBe("MutationConnectWhatsAppNumberSuccess");
});
afterAll(() => bed.stop());

type Listed = { name: string; language: string; body: string };
const names = (answer: { data: Record<string, Listed[]> }) => answer.data.whatsappTemplates!.map((template) => `${template.name}:${template.language}`);

describe("templates per business account", () => {
  it("lists each number's own business account's templates, the default number's without a number", async () => {
    const ofB = await graphql(bed.server, TEMPLATES, { phoneNumberId: B.phoneNumberId });
    expect(names(ofB)).toEqual(["b_only_offer:en", "hello_world:en_US"]);
    const ofDefault = await graphql(bed.server, TEMPLATES, {});
    expect(names(ofDefault)).not.toContain("b_only_offer:en");
    expect(names(ofDefault)).toEqual(names(await graphql(bed.server, TEMPLATES, { phoneNumberId: TEST_PHONE_NUMBER_ID })));
    // The same name in both accounts is two templates, each with its account's text.
    const helloOf = (answer: typeof ofB) => (answer.data.whatsappTemplates as Listed[]).find((template) => template.name === "hello_world")?.body;
    expect(helloOf(ofB)).toBe("Hello from B");
    expect(helloOf(ofDefault)).not.toBe("Hello from B");
    expect(await db().whatsAppTemplate.count({ where: { businessAccountId: B.businessAccountId } })).toBe(2);
  });

  it("refuses a template known only to WABA B from number A, and sends it from number B", async () => {
    const fromA = await graphql(bed.server, SEND, { from: TEST_PHONE_NUMBER_ID });
    expect(fromA.data.sendWhatsAppTemplate).toMatchObject({
      __typename: "ValidationError",
      fieldErrors: [{ field: "templateName", message: "No approved template b_only_offer in en" }],
    });
    expect(bed.simulator.sentMessages().filter((message) => message.to === CUSTOMER)).toHaveLength(0);

    const fromB = await graphql(bed.server, SEND, { from: B.phoneNumberId });
    expect(fromB.data.sendWhatsAppTemplate.__typename).toBe("SendWhatsAppSuccess");
    const sent = bed.simulator.sentMessages().filter((message) => message.to === CUSTOMER);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ phoneNumberId: B.phoneNumberId });
  });

  it("applies a template status webhook to its business account's templates only", async () => {
    const paused = {
      object: "whatsapp_business_account",
      entry: [{ id: B.businessAccountId, changes: [{ field: "message_template_status_update", value: { event: "PAUSED", message_template_id: 1000000000000098, message_template_name: "hello_world", message_template_language: "en_US", reason: null } }] }],
    };
    expect((await deliverWebhook(bed.server, paused)).status).toBe(200);
    const status = (businessAccountId: string) =>
      db().whatsAppTemplate.findFirstOrThrow({ where: { businessAccountId, name: "hello_world", language: "en_US" } }).then((template) => template.status);
    expect(await status(B.businessAccountId)).toBe("PAUSED");
    expect(await status(TEST_WABA_ID)).toBe("APPROVED");
  });
});
