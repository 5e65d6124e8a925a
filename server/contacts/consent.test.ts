import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, startTestServer, type TestServer } from "../tests/support/harness.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../tests/support/webhook-client.ts";
import { change, envelope, inbound, TEST_DISPLAY_NUMBER, TEST_PHONE_NUMBER_ID } from "../tests/support/webhook-fixtures.ts";
import { optOutKeywordIn, optOutKeywordsOf } from "./consent.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(WEBHOOK_ENV);
});
afterAll(() => server.stop());

const db = () => server.app.db;
let customerSequence = 0;
/** A customer no test has used yet. */
const freshWaId = () => `9198${String(Date.now() % 1_000_000).padStart(6, "0")}${String(++customerSequence).padStart(2, "0")}`;

async function customerWrites(waId: string, text: string, name = "Asha Rao") {
  const answer = await deliverWebhook(server, envelope(change({ messages: [inbound({ from: waId, type: "text", text: { body: text } })], profileName: name })));
  expect(answer.status).toBe(200);
}

function userPreferences(waId: string, value: "stop" | "resume", timestamp: number, name = "Asha Rao") {
  return envelope({
    field: "user_preferences",
    value: {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: TEST_DISPLAY_NUMBER, phone_number_id: TEST_PHONE_NUMBER_ID },
      contacts: [{ profile: { name }, wa_id: waId }],
      user_preferences: [
        { wa_id: waId, detail: `User requested to ${value} marketing messages`, category: "marketing_messages", value, timestamp },
      ],
    },
  });
}

const contactOf = (waId: string) => db().contact.findFirst({ where: { whatsappNumber: `+${waId}` } });

describe("opt-out keywords", () => {
  it("match the whole message, ignoring case, spaces and end punctuation", () => {
    const keywords = optOutKeywordsOf(null);
    expect(optOutKeywordIn("stop", keywords)).toBe("STOP");
    expect(optOutKeywordIn("  Unsubscribe! ", keywords)).toBe("UNSUBSCRIBE");
    expect(optOutKeywordIn("stop   promotions", keywords)).toBe("STOP PROMOTIONS");
    expect(optOutKeywordIn("please don't stop my order", keywords)).toBeNull();
    expect(optOutKeywordIn("cancel", keywords)).toBeNull();
  });
});

describe("a customer who writes STOP", () => {
  it("is opted out at once, a contact being made for them, and the inbox shows it", async () => {
    const waId = freshWaId();
    await customerWrites(waId, "Stop");
    const contact = await contactOf(waId);
    expect(contact).toMatchObject({ name: "Asha Rao", marketingConsent: "OPTED_OUT", marketingConsentSource: 'Wrote "STOP"' });
    expect(contact?.marketingConsentAt).toBeInstanceOf(Date);
    const conversation = await db().conversation.findFirstOrThrow({ where: { waId } });
    const answer = await graphql(server, `query($id: ID!) { conversation(id: $id) { contact { marketingConsent marketingConsentSource } } }`, { id: conversation.id });
    expect(answer.data.conversation.contact).toEqual({ marketingConsent: "OPTED_OUT", marketingConsentSource: 'Wrote "STOP"' });
  });

  it("keeps their existing contact and opts it out", async () => {
    const waId = freshWaId();
    const made = await graphql(server, `mutation($input: ContactInput!) { createContact(input: $input) { ... on MutationCreateContactSuccess { contact { id } } } }`, {
      input: { name: "Vikram", whatsappNumber: `+${waId}` },
    });
    await customerWrites(waId, "UNSUBSCRIBE");
    const contacts = await db().contact.findMany({ where: { whatsappNumber: `+${waId}` } });
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ id: made.data.createContact.contact.id, name: "Vikram", marketingConsent: "OPTED_OUT" });
  });

  it("is not opted out by a message that only contains the word", async () => {
    const waId = freshWaId();
    await customerWrites(waId, "Please stop by the shop tomorrow");
    expect(await contactOf(waId)).toBeNull();
  });

  it("is opted out by the workspace's own keywords once an admin sets them", async () => {
    const set = await graphql(server, `mutation { updateWorkspaceSettings(input: { optOutKeywords: ["band karo", "Stop"] }) { ... on MutationUpdateWorkspaceSettingsSuccess { workspace { optOutKeywords } } } }`);
    expect(set.data.updateWorkspaceSettings.workspace.optOutKeywords).toEqual(["BAND KARO", "STOP"]);
    const waId = freshWaId();
    await customerWrites(waId, "Band karo");
    expect(await contactOf(waId)).toMatchObject({ marketingConsent: "OPTED_OUT", marketingConsentSource: 'Wrote "BAND KARO"' });
    const other = freshWaId();
    await customerWrites(other, "unsubscribe");
    expect(await contactOf(other)).toBeNull();
    const reset = await graphql(server, `mutation { updateWorkspaceSettings(input: { optOutKeywords: [] }) { ... on MutationUpdateWorkspaceSettingsSuccess { workspace { optOutKeywords } } } }`);
    expect(reset.data.updateWorkspaceSettings.workspace.optOutKeywords).toContain("UNSUBSCRIBE");
  });
});

describe("WhatsApp's user_preferences webhook", () => {
  it("opts out a customer who stopped marketing messages, and a later resume lifts it to UNKNOWN", async () => {
    const waId = freshWaId();
    const now = Math.floor(Date.now() / 1000);
    expect((await deliverWebhook(server, userPreferences(waId, "stop", now))).status).toBe(200);
    expect(await contactOf(waId)).toMatchObject({ name: "Asha Rao", marketingConsent: "OPTED_OUT", marketingConsentSource: "User requested to stop marketing messages" });
    // An older resume delivered late changes nothing.
    await deliverWebhook(server, userPreferences(waId, "resume", now - 60));
    expect(await contactOf(waId)).toMatchObject({ marketingConsent: "OPTED_OUT" });
    await deliverWebhook(server, userPreferences(waId, "resume", now + 1));
    expect(await contactOf(waId)).toMatchObject({ marketingConsent: "UNKNOWN", marketingConsentSource: null });
  });

  it("is ignored for a business number no workspace owns", async () => {
    const waId = freshWaId();
    const payload = userPreferences(waId, "stop", Math.floor(Date.now() / 1000)) as { entry: Array<{ changes: Array<{ value: { metadata: { phone_number_id: string } } }> }> };
    payload.entry[0]!.changes[0]!.value.metadata.phone_number_id = "999999999999999";
    expect((await deliverWebhook(server, payload)).status).toBe(200);
    expect(await contactOf(waId)).toBeNull();
  });
});

describe("agents edit consent and contact labels", () => {
  const SET = `mutation($contactId: ID!, $state: MarketingConsent!, $source: String) {
    setContactMarketingConsent(contactId: $contactId, state: $state, source: $source) {
      __typename
      ... on MutationSetContactMarketingConsentSuccess { contact { marketingConsent marketingConsentSource marketingConsentAt } }
      ... on ValidationError { fieldErrors { field message } }
    }
  }`;

  it("needs a how to opt someone in, and records it", async () => {
    const contact = await db().contact.create({ data: { workspaceId: (await db().workspace.findFirstOrThrow()).id, name: "Meera", whatsappNumber: `+${freshWaId()}` } });
    const refused = await graphql(server, SET, { contactId: contact.id, state: "OPTED_IN" });
    expect(refused.data.setContactMarketingConsent.__typename).toBe("ValidationError");
    expect(refused.data.setContactMarketingConsent.fieldErrors[0].field).toBe("source");
    expect((await db().contact.findUniqueOrThrow({ where: { id: contact.id } })).marketingConsent).toBe("UNKNOWN");
    const done = await graphql(server, SET, { contactId: contact.id, state: "OPTED_IN", source: "Signed up at the Pune store" });
    expect(done.data.setContactMarketingConsent.contact).toMatchObject({ marketingConsent: "OPTED_IN", marketingConsentSource: "Signed up at the Pune store" });
  });

  it("puts labels on a contact and takes them off", async () => {
    const workspaceId = (await db().workspace.findFirstOrThrow()).id;
    const contact = await db().contact.create({ data: { workspaceId, name: "Kiran" } });
    const vip = await db().label.create({ data: { workspaceId, name: "vip-contacts", color: "#25d366" } });
    const diwali = await db().label.create({ data: { workspaceId, name: "diwali-2026", color: "#ff9900" } });
    const LABELS = `mutation($contactId: ID!, $labelIds: [ID!]!) { setContactLabels(contactId: $contactId, labelIds: $labelIds) { __typename ... on MutationSetContactLabelsSuccess { contact { labels { name } } } } }`;
    const both = await graphql(server, LABELS, { contactId: contact.id, labelIds: [vip.id, diwali.id] });
    expect(both.data.setContactLabels.contact.labels.map((label: { name: string }) => label.name)).toEqual(["diwali-2026", "vip-contacts"]);
    const one = await graphql(server, LABELS, { contactId: contact.id, labelIds: [vip.id] });
    expect(one.data.setContactLabels.contact.labels).toEqual([{ name: "vip-contacts" }]);
    const unknown = await graphql(server, LABELS, { contactId: contact.id, labelIds: ["nope"] });
    expect(unknown.data.setContactLabels.__typename).toBe("NotFoundError");
    expect(await db().contactLabel.count({ where: { contactId: contact.id } })).toBe(1);
  });
});
