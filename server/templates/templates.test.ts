import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOtherWorkspace, graphql, startTestServer } from "../tests/support/harness.ts";
import { eventually, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../tests/support/webhook-client.ts";
import { TEST_WABA_ID } from "../tests/support/webhook-fixtures.ts";
import { DEFAULT_TEMPLATES } from "../simulator/templates.ts";

let whatsapp: SimulatedWhatsApp;
const server = () => whatsapp.server;
const simulator = () => whatsapp.simulator;
const db = () => whatsapp.server.app.db;

// Two templates a page: the simulator's six take three pages.
beforeAll(async () => {
  whatsapp = await startWithSimulator({}, { templatesPageSize: 2 });
});
afterAll(() => whatsapp.stop());

const TEMPLATES = `query($statuses: [String!], $search: String) { whatsappTemplates(statuses: $statuses, search: $search) {
  name language category status rejectedReason headerText body footer parameterCount buttons { type text } } }`;
const SYNC = `mutation { syncWhatsAppTemplates { __typename
  ... on MutationSyncWhatsAppTemplatesSuccess { sync { count removed } }
  ... on Error { message } } }`;

const templateRequests = () => simulator().requests().filter((request) => request.path.endsWith("/message_templates"));
const names = (templates: Array<{ name: string; language: string }>) => templates.map((template) => `${template.name}:${template.language}`);
const cached = (name: string, language: string) =>
  db().whatsAppTemplate.findFirstOrThrow({ where: { name, language, workspace: { users: { some: { role: "ADMIN" } } } } });

describe("the template cache", () => {
  it("fills itself from every page on first use, and agents see the approved templates with their parts", async () => {
    const answer = await graphql(server(), TEMPLATES);
    expect(names(answer.data.whatsappTemplates)).toEqual(["appointment_reminder:en", "appointment_reminder:hi", "hello_world:en_US", "order_update:en"]);
    expect(templateRequests().length).toBe(3);
    expect(answer.data.whatsappTemplates.find((template: { name: string }) => template.name === "hello_world")).toMatchObject({
      category: "UTILITY",
      status: "APPROVED",
      headerText: "Hello World",
      footer: "WhatsApp Business Platform sample message",
      parameterCount: 0,
    });
    // Served from the cache from now on: Meta is not asked again.
    const all = await graphql(server(), TEMPLATES, { statuses: [] });
    expect(names(all.data.whatsappTemplates)).toHaveLength(DEFAULT_TEMPLATES.length);
    expect((await graphql(server(), TEMPLATES, { search: "appointment" })).data.whatsappTemplates).toHaveLength(2);
    expect(templateRequests().length).toBe(3);
  });

  it("Sync now fetches every page again, adds new templates and removes deleted ones", async () => {
    simulator().setTemplates([
      ...DEFAULT_TEMPLATES.filter((template) => template.name !== "appointment_reminder"),
      {
        id: "1000000000000077",
        name: "feedback_request",
        language: "en",
        status: "APPROVED",
        category: "MARKETING",
        components: [
          { type: "BODY", text: "How was your visit, {{1}}?" },
          { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Great" }, { type: "QUICK_REPLY", text: "Not good" }] },
        ],
      },
    ]);
    const before = templateRequests().length;
    const answer = await graphql(server(), SYNC);
    expect(answer.data.syncWhatsAppTemplates).toEqual({ __typename: "MutationSyncWhatsAppTemplatesSuccess", sync: { count: 5, removed: 2 } });
    expect(templateRequests().length - before).toBe(3);
    const approved = (await graphql(server(), TEMPLATES)).data.whatsappTemplates;
    expect(names(approved)).toEqual(["feedback_request:en", "hello_world:en_US", "order_update:en"]);
    expect(approved[0].buttons).toEqual([{ type: "QUICK_REPLY", text: "Great" }, { type: "QUICK_REPLY", text: "Not good" }]);
  });

  it("a template status webhook (signed, as Meta sends it) updates the cache before it is answered", async () => {
    const paused = await simulator().updateTemplateStatus({ name: "order_update", language: "en", event: "PAUSED" });
    expect(paused.httpStatus).toBe(200);
    // Answered 200 only once stored: no waiting needed.
    expect((await cached("order_update", "en")).status).toBe("PAUSED");
    expect(names((await graphql(server(), TEMPLATES)).data.whatsappTemplates)).not.toContain("order_update:en");

    await simulator().updateTemplateStatus({ name: "order_update", language: "en", event: "REJECTED", reason: "INVALID_FORMAT" });
    expect(await cached("order_update", "en")).toMatchObject({ status: "REJECTED", rejectedReason: "INVALID_FORMAT" });
    await simulator().updateTemplateStatus({ name: "order_update", language: "en", event: "APPROVED" });
    expect(await cached("order_update", "en")).toMatchObject({ status: "APPROVED", rejectedReason: null });
  });

  it("refuses a status webhook with a wrong signature, ignores an unreadable one, and changes nothing", async () => {
    const payload = {
      object: "whatsapp_business_account",
      entry: [{ id: TEST_WABA_ID, changes: [{ field: "message_template_status_update", value: { event: "DISABLED", message_template_id: 1000000000000001, message_template_name: "hello_world", message_template_language: "en_US", reason: null } }] }],
    };
    const forged = await deliverWebhook(server(), payload, { signature: "sha256=" + "0".repeat(64) });
    expect(forged.status).toBe(403);
    const unreadable = structuredClone(payload);
    delete (unreadable.entry[0]!.changes[0]!.value as Record<string, unknown>).message_template_name;
    expect((await deliverWebhook(server(), unreadable)).status).toBe(200);
    // Another business account's template of the same name: not ours to change.
    const otherAccount = structuredClone(payload);
    otherAccount.entry[0]!.id = "999999999999999";
    expect((await deliverWebhook(server(), otherAccount)).status).toBe(200);
    expect((await cached("hello_world", "en_US")).status).toBe("APPROVED");
  });

  it("fetches a template it did not know when Meta approves it", async () => {
    simulator().setTemplates([
      ...simulator().setTemplates(),
      { id: "1000000000000088", name: "payment_due", language: "hi", status: "PENDING", category: "UTILITY", components: [{ type: "BODY", text: "{{1}} बकाया है" }] },
    ]);
    await simulator().updateTemplateStatus({ name: "payment_due", language: "hi", event: "APPROVED" });
    await eventually(async () => (await db().whatsAppTemplate.findFirst({ where: { name: "payment_due", status: "APPROVED" } })) !== null, "the new template to be fetched");
  });

  it("sends from the cache: a paused template is refused before Meta is asked", async () => {
    const { wamid } = await simulator().sendInbound({ from: "919712300001", name: "Ravi", type: "text", text: "Hi" });
    expect(wamid).toBeTruthy();
    await simulator().updateTemplateStatus({ name: "hello_world", language: "en_US", event: "PAUSED" });
    const sent = simulator().sentMessages().length;
    const answer = await graphql(
      server(),
      `mutation { sendWhatsAppTemplate(input: { phoneNumber: "+919712300001", templateName: "hello_world", languageCode: "en_US" }) { __typename } }`,
    );
    expect(answer.data.sendWhatsAppTemplate.__typename).toBe("ValidationError");
    expect(simulator().sentMessages()).toHaveLength(sent);
  });

  it("shows another workspace no templates and does not let it sync the configured account", async () => {
    const other = await createOtherWorkspace(server());
    const before = templateRequests().length;
    expect((await graphql(server(), TEMPLATES, { statuses: [] }, { token: other.token })).data.whatsappTemplates).toEqual([]);
    expect((await graphql(server(), SYNC, {}, { token: other.token })).data.syncWhatsAppTemplates.__typename).toBe("WhatsAppNotConfiguredError");
    expect(templateRequests()).toHaveLength(before);
    expect(await db().whatsAppTemplate.count({ where: { workspaceId: other.workspace.id } })).toBe(0);
  });

  it("says Meta is unavailable when Sync now fails, keeping the cached list", async () => {
    const cutOff = await startTestServer({ ...WEBHOOK_ENV, WHATSAPP_API_BASE_URL: "http://127.0.0.1:9" });
    try {
      const admin = await cutOff.app.db.user.findFirstOrThrow({ where: { role: "ADMIN" } });
      await cutOff.app.db.whatsAppTemplate.create({
        data: { workspaceId: admin.workspaceId, businessAccountId: TEST_WABA_ID, name: "kept", language: "en", category: "UTILITY", status: "APPROVED", components: "[]", syncedAt: new Date() },
      });
      const answer = await graphql(cutOff, SYNC);
      expect(answer.data.syncWhatsAppTemplates).toMatchObject({ __typename: "TemplateSyncFailedError", message: expect.stringMatching(/^WhatsApp's templates cannot be listed right now/) });
      expect(names((await graphql(cutOff, TEMPLATES)).data.whatsappTemplates)).toEqual(["kept:en"]);
    } finally {
      await cutOff.stop();
    }
  });
});
