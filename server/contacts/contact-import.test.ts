import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../auth/auth.service.ts";
import { DEFAULT_TEMPLATES } from "../simulator/templates.ts";
import { createOtherWorkspace, graphql, type TestServer } from "../tests/support/harness.ts";
import { eventually, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "./contact-import.ts";

// CSV import against a real database and the Cloud API simulator: all or nothing, a report per
// refused row, updates instead of duplicates, and custom columns as campaign variables.

let whatsapp: SimulatedWhatsApp;
let server: TestServer;
let workspaceId: string;
const db = () => server.app.db;

const IMPORT = `mutation($input: ImportContactsInput!) { importContacts(input: $input) {
  __typename
  ... on MutationImportContactsSuccess { report { imported dryRun rows created updated customFields refused { line column value reason } } }
  ... on ValidationError { fieldErrors { field message } }
  ... on ForbiddenError { message }
} }`;

async function importCsv(csv: string, extra: { labelIds?: string[]; dryRun?: boolean } = {}, token?: string) {
  const answer = await graphql(server, IMPORT, { input: { csv, ...extra } }, token ? { token } : undefined);
  expect(answer.errors).toBeUndefined();
  return answer.data.importContacts;
}

const contactsNamed = (prefix: string) => db().contact.findMany({ where: { workspaceId, name: { startsWith: prefix } }, include: { fieldValues: true }, orderBy: { name: "asc" } });

beforeAll(async () => {
  whatsapp = await startWithSimulator();
  server = whatsapp.server;
  const admin = await db().user.findFirstOrThrow({ where: { role: "ADMIN" } });
  workspaceId = admin.workspaceId;
}, 30_000);
afterAll(async () => {
  await whatsapp.simulator.stop();
  await server.stop();
});

describe("importing contacts from CSV", () => {
  it("stores every row with its number in E.164, its label and its custom columns as fields", async () => {
    const label = await db().label.create({ data: { workspaceId, name: "Diwali 2026", color: "#ff9900" } });
    const csv = "Name,Mobile,Email,City,Order ID\r\nAsha Rao,98765 43001,asha@example.in,Pune,A-17\r\n\"Kumar, Vijay\",+91 98765-43002,,Chennai,\r\n";
    const result = await importCsv(csv, { labelIds: [label.id] });
    expect(result.report).toEqual({ imported: true, dryRun: false, rows: 2, created: 2, updated: 0, customFields: ["city", "order_id"], refused: [] });
    const [asha] = await contactsNamed("Asha");
    const [vijay] = await contactsNamed("Kumar");
    expect(asha).toMatchObject({ whatsappNumber: "+919876543001", email: "asha@example.in" });
    expect(Object.fromEntries(asha!.fieldValues.map((field) => [field.key, field.value]))).toEqual({ city: "Pune", order_id: "A-17" });
    // An empty cell is no field at all.
    expect(vijay!.fieldValues.map((field) => [field.key, field.value])).toEqual([["city", "Chennai"]]);
    const shown = await graphql(server, `query($id: ID!) { contact(id: $id) { labels { name } customFields { key value } } }`, { id: asha!.id });
    expect(shown.data.contact).toEqual({ labels: [{ name: "Diwali 2026" }], customFields: [{ key: "city", value: "Pune" }, { key: "order_id", value: "A-17" }] });
    const keys = await graphql(server, `{ contactCustomFields }`);
    expect(keys.data.contactCustomFields).toEqual(expect.arrayContaining(["city", "order_id"]));
  });

  it("stores nothing when one row is refused, and reports its line, value and why", async () => {
    const before = await db().contact.count();
    const csv = ["name,phone,city", "Bina One,9876543101,Delhi", "Bina Two,12345,Delhi", ",9876543103,Goa", "Bina Four,98765 43101,Agra", "Bina Five,9876543105,Pune"].join("\n");
    const result = await importCsv(csv);
    expect(result.report).toMatchObject({ imported: false, rows: 5, created: 2, updated: 0 });
    expect(result.report.refused).toEqual([
      { line: 3, column: "phone", value: "12345", reason: "Invalid phone number (without a country code, it is read as a number in India)" },
      { line: 4, column: "name", value: "", reason: "Name is required" },
      { line: 5, column: "phone", value: "98765 43101", reason: "Same number as line 2" },
    ]);
    expect(await db().contact.count()).toBe(before);
    expect(await contactsNamed("Bina")).toEqual([]);
  });

  it("updates the contact that already has the number instead of adding a second, keeping what empty cells leave out", async () => {
    const existing = await db().contact.create({ data: { workspaceId, name: "Chetan", whatsappNumber: "+919876543201", company: "Chetan Stores" } });
    await db().contactFieldValue.create({ data: { workspaceId, contactId: existing.id, key: "tier", value: "gold" } });
    const csv = "name,whatsapp,company,city\nChetan Sharma,+919876543201,,Jaipur\nChitra,9876543202,,Jaipur\n";
    const checked = await importCsv(csv, { dryRun: true });
    expect(checked.report).toMatchObject({ imported: false, dryRun: true, created: 1, updated: 1, refused: [] });
    expect(await db().contact.count({ where: { whatsappNumber: "+919876543202" } })).toBe(0);

    const result = await importCsv(csv);
    expect(result.report).toMatchObject({ imported: true, created: 1, updated: 1 });
    const updated = await db().contact.findMany({ where: { workspaceId, whatsappNumber: "+919876543201" }, include: { fieldValues: { orderBy: { key: "asc" } } } });
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ id: existing.id, name: "Chetan Sharma", company: "Chetan Stores" });
    expect(updated[0]!.fieldValues.map((field) => [field.key, field.value])).toEqual([["city", "Jaipur"], ["tier", "gold"]]);
  });

  it("links the conversation of a customer who wrote before being imported", async () => {
    await whatsapp.simulator.sendInbound({ from: "919876543301", name: "Deepa", type: "text", text: "Hello" });
    const conversation = await eventually(() => db().conversation.findFirst({ where: { waId: "919876543301" } }), "Deepa's conversation");
    await importCsv("name,phone\nDeepa Iyer,9876543301\n");
    const deepa = await db().contact.findFirstOrThrow({ where: { workspaceId, whatsappNumber: "+919876543301" } });
    expect((await db().conversation.findUniqueOrThrow({ where: { id: conversation.id } })).contactId).toBe(deepa.id);
  });

  it("refuses another workspace's labels, a file without name and phone columns, an oversized or too long file, and agents — storing nothing", async () => {
    const before = await db().contact.count();
    const other = await createOtherWorkspace(server);
    const theirs = await db().label.create({ data: { workspaceId: other.workspace.id, name: "Theirs", color: "#000000" } });
    expect(await importCsv("name,phone\nEsha,9876543401\n", { labelIds: [theirs.id] })).toEqual({
      __typename: "ValidationError",
      fieldErrors: [{ field: "labelIds", message: "Some of these labels do not exist" }],
    });
    const headerless = await importCsv("Esha,9876543401\n");
    expect(headerless.__typename).toBe("ValidationError");
    expect(headerless.fieldErrors[0]).toMatchObject({ field: "csv", message: expect.stringContaining('at least "name" and "phone"') });
    const huge = `name,phone,notes\n${"Esha,9876543401,".padEnd(MAX_IMPORT_BYTES + 10, "x")}\n`;
    expect(await importCsv(huge)).toEqual({ __typename: "ValidationError", fieldErrors: [{ field: "csv", message: expect.stringContaining("larger than 800 KB") }] });
    const tooMany = `name,phone\n${"E,1\n".repeat(MAX_IMPORT_ROWS + 1)}`;
    expect(await importCsv(tooMany)).toEqual({ __typename: "ValidationError", fieldErrors: [{ field: "csv", message: "At most 10,000 contacts per file" }] });
    const agent = await db().user.create({ data: { workspaceId, email: "agent@import.test", name: "Agent", role: "AGENT", passwordHash: "token only" } });
    const { token } = await createApiToken(db(), { userId: agent.id, workspaceId, role: "AGENT", csrfToken: null }, "agent");
    expect((await importCsv("name,phone\nEsha,9876543401\n", {}, token)).__typename).toBe("ForbiddenError");
    expect(await db().contact.count()).toBe(before);
  });

  it("reads semicolon files, quoted cells spanning lines and rows of empty cells, counting lines as the file does", async () => {
    const csv = 'name;phone;notes\n"Farah";9876543501;"first\nsecond"\n;;\nFaiz;12;x\n;;\n';
    const result = await importCsv(csv, { dryRun: true });
    expect(result.report.rows).toBe(2);
    expect(result.report.refused).toEqual([{ line: 5, column: "phone", value: "12", reason: "Invalid phone number (without a country code, it is read as a number in India)" }]);
  });
});

describe("custom fields as campaign variables", () => {
  it("renders each recipient's own value, and leaves out those without one", async () => {
    const offer = {
      id: "1000000000000098",
      name: "city_offer",
      language: "en",
      status: "APPROVED",
      category: "MARKETING",
      components: [{ type: "BODY", text: "Hi {{1}}, our {{2}} store is open!" }],
    };
    whatsapp.simulator.setTemplates([...DEFAULT_TEMPLATES, offer] as typeof DEFAULT_TEMPLATES);
    expect((await graphql(server, `mutation { syncWhatsAppTemplates { __typename } }`)).data.syncWhatsAppTemplates.__typename).toBe("MutationSyncWhatsAppTemplatesSuccess");
    const label = await db().label.create({ data: { workspaceId, name: "City offer", color: "#123456" } });
    const imported = await importCsv("name,phone,store city\nGita Menon,9876543601,Kochi\nGopal Das,9876543602,Kolkata\nGauri,9876543603,\n", { labelIds: [label.id] });
    expect(imported.report).toMatchObject({ imported: true, created: 3, customFields: ["store_city"] });

    const create = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { __typename
      ... on MutationCreateCampaignSuccess { campaign { id total skipped exclusions { reason count } } }
      ... on ValidationError { fieldErrors { field message } } } }`;
    const input = { name: "Stores", templateName: "city_offer", languageCode: "en", audience: { labelIds: [label.id] } };
    const unknown = await graphql(server, create, { input: { ...input, bodyParameters: [{ contactField: "firstName" }, { contactField: "shoe_size" }] } });
    expect(unknown.data.createCampaign.fieldErrors).toEqual([{ field: "bodyParameters.1", message: expect.stringContaining("Unknown contact field shoe_size") }]);
    const draft = await graphql(server, create, { input: { ...input, bodyParameters: [{ contactField: "firstName" }, { contactField: "store_city" }] } });
    expect(draft.data.createCampaign.campaign).toMatchObject({ total: 2, skipped: 1, exclusions: [{ reason: "MISSING_VARIABLE", count: 1 }] });
    const id = draft.data.createCampaign.campaign.id as string;
    const read = await graphql(server, `query($id: ID!) { campaign(id: $id) { bodyParameters { text contactField } } }`, { id });
    expect(read.data.campaign.bodyParameters).toEqual([{ text: null, contactField: "firstName" }, { text: null, contactField: "store_city" }]);

    await graphql(server, `mutation($id: ID!) { startCampaign(id: $id) { __typename } }`, { id });
    const texts = await eventually(async () => {
      const messages = await db().whatsAppMessage.findMany({ where: { campaignId: id }, select: { text: true } });
      return messages.length === 2 && messages.map((message) => message.text).sort();
    }, "the campaign's messages", 15_000);
    expect(texts).toEqual(["Hi Gita, our Kochi store is open!", "Hi Gopal, our Kolkata store is open!"]);
  });
});
