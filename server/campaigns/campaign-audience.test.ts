import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_TEMPLATES } from "../simulator/templates.ts";
import { graphql, type TestServer } from "../tests/support/harness.ts";
import { eventually, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";
import { TEST_PHONE_NUMBER_ID } from "../tests/support/webhook-fixtures.ts";
import { DAY_MS, SPLIT_MARGIN_MS } from "./messaging-limit.ts";

// "Before sending": saved filters (evaluated by the database), the exclusions with their counts
// (blocked customers among them), the per-recipient preview and cost, and Meta's messaging limit —
// refused, or split over days with the later recipients waiting in the outbox.

let whatsapp: SimulatedWhatsApp;
let server: TestServer;
let workspaceId: string;
const db = () => server.app.db;

const OFFER = {
  id: "1000000000000199",
  name: "monsoon_offer",
  language: "en",
  status: "APPROVED",
  category: "MARKETING",
  components: [{ type: "BODY", text: "Hi {{1}}, enjoy {{2}} off this monsoon!" }],
};

beforeAll(async () => {
  whatsapp = await startWithSimulator({ WHATSAPP_SEND_RATE_PER_SECOND: "50" });
  server = whatsapp.server;
  whatsapp.simulator.setTemplates([...DEFAULT_TEMPLATES, OFFER] as typeof DEFAULT_TEMPLATES);
  const sync = await graphql(server, `mutation { syncWhatsAppTemplates { __typename } }`);
  expect(sync.data.syncWhatsAppTemplates.__typename).toBe("MutationSyncWhatsAppTemplatesSuccess");
  workspaceId = (await db().user.findFirstOrThrow({ where: { role: "ADMIN" } })).workspaceId;
}, 30_000);
afterAll(() => whatsapp.stop());
beforeEach(async () => {
  // Each test starts from an empty audience and no limit, so that counts are its own.
  await db().campaign.deleteMany({});
  await db().whatsAppMessage.deleteMany({});
  await db().conversation.deleteMany({});
  await db().contact.deleteMany({});
  await db().savedFilter.deleteMany({});
  await db().whatsAppPhoneNumber.update({ where: { phoneNumberId: TEST_PHONE_NUMBER_ID }, data: { messagingLimitTier: null } });
});

let sequence = 0;
interface Customer {
  name: string;
  consent?: "OPTED_IN" | "OPTED_OUT";
  /** Days since their conversation's last message; none: no conversation. */
  lastMessageDaysAgo?: number;
  blocked?: boolean;
  label?: string;
}
/** Contacts (with a conversation on the sending number when asked), in the order given. */
async function customers(...list: Customer[]) {
  const made = [];
  for (const customer of list) {
    const waId = `9197${String(10_000_000 + ++sequence).padStart(8, "0")}`;
    const contact = await db().contact.create({ data: { workspaceId, name: customer.name, whatsappNumber: `+${waId}`, marketingConsent: customer.consent ?? "UNKNOWN" } });
    if (customer.lastMessageDaysAgo !== undefined) {
      await db().conversation.create({
        data: {
          workspaceId,
          businessPhoneNumberId: TEST_PHONE_NUMBER_ID,
          waId,
          contactId: contact.id,
          lastMessageAt: new Date(Date.now() - customer.lastMessageDaysAgo * DAY_MS),
          blockedAt: customer.blocked ? new Date() : null,
        },
      });
    }
    if (customer.label) {
      const label = await db().label.upsert({ where: { workspaceId_name: { workspaceId, name: customer.label } }, create: { workspaceId, name: customer.label, color: "#25d366" }, update: {} });
      await db().contactLabel.create({ data: { contactId: contact.id, labelId: label.id } });
    }
    made.push({ ...contact, waId });
  }
  return made;
}

const SAVE = `mutation($input: CreateSavedFilterInput!) { createSavedFilter(input: $input) {
  __typename ... on MutationCreateSavedFilterSuccess { savedFilter { id name hasConversation lastMessageWithinDays optedIn labelIds } }
  ... on ValidationError { fieldErrors { field message } } } }`;

async function saveFilter(input: Record<string, unknown>) {
  const answer = await graphql(server, SAVE, { input });
  expect(answer.errors).toBeUndefined();
  return answer.data.createSavedFilter;
}

async function draft(audience: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const answer = await graphql(
    server,
    `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { __typename ... on MutationCreateCampaignSuccess { campaign { id } } ... on ValidationError { fieldErrors { field message } } } }`,
    { input: { name: "Monsoon", templateName: "monsoon_offer", languageCode: "en", bodyParameters: [{ contactField: "firstName" }, { text: "15%" }], audience, ...extra } },
  );
  expect(answer.errors).toBeUndefined();
  return answer.data.createCampaign;
}

const PREVIEW = `query($id: ID!, $first: Int, $offset: Int, $search: String) { campaignPreview(id: $id, first: $first, offset: $offset, search: $search) {
  __typename ... on QueryCampaignPreviewSuccess { preview {
    recipients skipped exclusions { reason count } estimatedCost currency matching
    messages { contactName to text notBefore }
    limit { tier limit usedLast24h newCustomers room verdict summary batches { count notBefore } } } }
  ... on Error { message } } }`;

async function preview(id: string, page: { first?: number; offset?: number; search?: string } = {}) {
  const answer = await graphql(server, PREVIEW, { id, ...page });
  expect(answer.errors).toBeUndefined();
  expect(answer.data.campaignPreview.__typename).toBe("QueryCampaignPreviewSuccess");
  return answer.data.campaignPreview.preview;
}

async function start(id: string) {
  const answer = await graphql(
    server,
    `mutation($id: ID!) { startCampaign(id: $id) { __typename ... on MutationStartCampaignSuccess { campaign { status total } }
      ... on MessagingLimitError { message limit usedLast24h newCustomers room } ... on Error { message } } }`,
    { id },
  );
  expect(answer.errors).toBeUndefined();
  return answer.data.startCampaign;
}

const namesOf = (messages: Array<{ contactName: string }>) => messages.map((message) => message.contactName).sort();

describe("saved filters", () => {
  it("are saved with their criteria, refused with the field named, and deleted", async () => {
    const none = await saveFilter({ name: "Nothing" });
    expect(none.fieldErrors).toEqual([{ field: "criteria", message: expect.stringContaining("at least one criterion") }]);
    const badDays = await saveFilter({ name: " ", lastMessageWithinDays: 0, labelIds: ["nope"] });
    expect(badDays.fieldErrors.map((error: { field: string }) => error.field).sort()).toEqual(["labelIds", "lastMessageWithinDays", "name"]);
    expect(await db().savedFilter.count()).toBe(0);

    const saved = await saveFilter({ name: "Engaged", lastMessageWithinDays: 30, optedIn: true });
    expect(saved.savedFilter).toMatchObject({ name: "Engaged", hasConversation: false, lastMessageWithinDays: 30, optedIn: true, labelIds: [] });
    expect((await saveFilter({ name: "Engaged", hasConversation: true })).fieldErrors).toEqual([{ field: "name", message: "A saved filter is already named Engaged" }]);
    const listed = await graphql(server, `{ savedFilters { name } }`);
    expect(listed.data.savedFilters).toEqual([{ name: "Engaged" }]);
    const deleted = await graphql(server, `mutation($id: ID!) { deleteSavedFilter(id: $id) { __typename } }`, { id: saved.savedFilter.id });
    expect(deleted.data.deleteSavedFilter.__typename).toBe("MutationDeleteSavedFilterSuccess");
    expect(await db().savedFilter.count()).toBe(0);
  });

  it("choose the contacts matching every criterion, united with labels and named contacts", async () => {
    await customers(
      { name: "Asha Recent", consent: "OPTED_IN", lastMessageDaysAgo: 2 },
      { name: "Bala Lapsed", consent: "OPTED_IN", lastMessageDaysAgo: 40 },
      { name: "Chitra Silent", consent: "OPTED_IN" },
      { name: "Dev Unsure", lastMessageDaysAgo: 1 },
    );
    const [labelled] = await customers({ name: "Esha Labelled", label: "vip" });
    const [named] = await customers({ name: "Farah Named" });
    const recent = (await saveFilter({ name: "Recent opted-in", lastMessageWithinDays: 7, optedIn: true })).savedFilter;
    const talking = (await saveFilter({ name: "Talking", hasConversation: true })).savedFilter;

    const onlyRecent = await draft({ savedFilterIds: [recent.id] });
    expect(namesOf((await preview(onlyRecent.campaign.id)).messages)).toEqual(["Asha Recent"]);
    const withConversation = await draft({ savedFilterIds: [talking.id] });
    expect(namesOf((await preview(withConversation.campaign.id)).messages)).toEqual(["Asha Recent", "Bala Lapsed", "Dev Unsure"]);

    const vip = await db().label.findFirstOrThrow({ where: { workspaceId, name: "vip" } });
    const union = await draft({ savedFilterIds: [recent.id, talking.id], labelIds: [vip.id], contactIds: [named!.id] });
    const all = await preview(union.campaign.id);
    expect(all.recipients).toBe(5);
    expect(namesOf(all.messages)).toEqual(["Asha Recent", "Bala Lapsed", "Dev Unsure", "Esha Labelled", "Farah Named"]);
    expect(labelled).toBeDefined();

    expect((await draft({ savedFilterIds: ["nope"] })).fieldErrors).toEqual([{ field: "audience.savedFilterIds", message: "Some of these saved filters do not exist" }]);
  });
});

describe("the preview before starting", () => {
  it("counts every exclusion, blocked customers among them, and blocked customers get nothing", async () => {
    const people = await customers(
      { name: "Gita Fine", label: "monsoon", lastMessageDaysAgo: 3 },
      { name: "Hari Blocked", label: "monsoon", lastMessageDaysAgo: 3, blocked: true },
      { name: "Indu Stopped", label: "monsoon", consent: "OPTED_OUT" },
      { name: " ", label: "monsoon" },
    );
    const noNumber = await db().contact.create({ data: { workspaceId, name: "Jai Nonumber" } });
    const label = await db().label.findFirstOrThrow({ where: { workspaceId, name: "monsoon" } });
    await db().contactLabel.create({ data: { contactId: noNumber.id, labelId: label.id } });

    const { campaign } = await draft({ labelIds: [label.id] });
    const seen = await preview(campaign.id);
    expect(seen.recipients).toBe(1);
    expect(seen.skipped).toBe(4);
    expect(seen.exclusions).toEqual([
      { reason: "OPTED_OUT", count: 1 },
      { reason: "NO_WHATSAPP", count: 1 },
      { reason: "BLOCKED", count: 1 },
      { reason: "MISSING_VARIABLE", count: 1 },
    ]);

    const started = await start(campaign.id);
    expect(started.campaign).toMatchObject({ status: "RUNNING", total: 1 });
    await eventually(() => whatsapp.simulator.sentMessages().some((message) => message.request.template?.name === "monsoon_offer"), "the campaign's message sent");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sent = whatsapp.simulator.sentMessages().filter((message) => message.request.template?.name === "monsoon_offer");
    expect(sent.map((message) => message.to)).toEqual([people[0]!.waId]);
  });

  it("renders each recipient's message, pages and searches them, and estimates the cost", async () => {
    await customers(...Array.from({ length: 25 }, (_, index) => ({ name: `Kiran ${String(index + 1).padStart(2, "0")} Rao`, label: "preview" })));
    await customers({ name: "Lata Mangesh", label: "preview" });
    const label = await db().label.findFirstOrThrow({ where: { workspaceId, name: "preview" } });
    const { campaign } = await draft({ labelIds: [label.id] });

    const firstPage = await preview(campaign.id, { first: 5 });
    expect(firstPage.recipients).toBe(26);
    expect(firstPage.matching).toBe(26);
    expect(firstPage.messages).toHaveLength(5);
    expect(firstPage.messages[0]).toMatchObject({ text: expect.stringMatching(/^Hi Kiran, enjoy 15% off this monsoon!$/), to: expect.stringMatching(/^\+91 /), notBefore: null });
    expect(firstPage.estimatedCost).toBeGreaterThan(0);
    const secondPage = await preview(campaign.id, { first: 5, offset: 5 });
    expect(secondPage.messages.map((message: { contactName: string }) => message.contactName)).not.toContain(firstPage.messages[0].contactName);

    // "Kiran 07" is a name with a digit in it, not a number: it finds Kiran 07 alone.
    const kiran = await preview(campaign.id, { search: "kiran 07" });
    expect(kiran.messages.map((message: { contactName: string }) => message.contactName)).toEqual(["Kiran 07 Rao"]);
    const byNumber = await preview(campaign.id, { search: firstPage.messages[0].to.slice(-5) });
    expect(byNumber.messages.map((message: { contactName: string }) => message.contactName)).toContain(firstPage.messages[0].contactName);
    const found = await preview(campaign.id, { search: "lata" });
    expect(found.matching).toBe(1);
    expect(found.messages).toEqual([expect.objectContaining({ contactName: "Lata Mangesh", text: "Hi Lata, enjoy 15% off this monsoon!" })]);
    expect(found.limit.verdict).toBe("UNKNOWN");
  });
});

/** Business-initiated templates to `count` other customers an hour ago: the last 24 hours' use of the limit. */
async function alreadyReached(count: number) {
  for (let index = 0; index < count; index++) {
    const conversation = await db().conversation.create({ data: { workspaceId, businessPhoneNumberId: TEST_PHONE_NUMBER_ID, waId: `9196${String(10_000_000 + ++sequence)}` } });
    await db().whatsAppMessage.create({
      data: { workspaceId, businessPhoneNumberId: TEST_PHONE_NUMBER_ID, conversationId: conversation.id, direction: "OUTBOUND", type: "template", preview: "earlier", status: "DELIVERED", timestamp: new Date(Date.now() - 3600_000) },
    });
  }
}

describe("the messaging limit", () => {
  it("is learnt from WhatsApp's phone_number_quality_update for the business account's numbers", async () => {
    await whatsapp.simulator.updateQuality({ event: "UPGRADE", limit: "TIER_10K" });
    const tier = () => db().whatsAppPhoneNumber.findUniqueOrThrow({ where: { phoneNumberId: TEST_PHONE_NUMBER_ID } }).then((number) => number.messagingLimitTier);
    await eventually(async () => (await tier()) === "TIER_10K", "the new tier stored");
    await customers({ name: "Priya Upgraded", label: "tier" });
    const label = await db().label.findFirstOrThrow({ where: { workspaceId, name: "tier" } });
    const { campaign } = await draft({ labelIds: [label.id] });
    expect((await preview(campaign.id)).limit).toMatchObject({ tier: "TIER_10K", limit: 10_000, verdict: "WITHIN", newCustomers: 1, room: 10_000 });
  });

  it("is learnt from the portfolio's business_capability_update, which names no number", async () => {
    await whatsapp.simulator.updateCapability({ maxDailyConversationsPerBusiness: 100_000 });
    const tier = () => db().whatsAppPhoneNumber.findUniqueOrThrow({ where: { phoneNumberId: TEST_PHONE_NUMBER_ID } }).then((number) => number.messagingLimitTier);
    await eventually(async () => (await tier()) === "TIER_100K", "the new tier stored");
    await whatsapp.simulator.updateCapability({ maxDailyConversationsPerBusiness: -1 });
    await eventually(async () => (await tier()) === "TIER_UNLIMITED", "unlimited stored");
  });

  it("refuses a campaign that would pass it, saying the numbers, and queues nothing", async () => {
    await db().whatsAppPhoneNumber.update({ where: { phoneNumberId: TEST_PHONE_NUMBER_ID }, data: { messagingLimitTier: "TIER_250" } });
    await alreadyReached(247);
    await customers(...Array.from({ length: 5 }, (_, index) => ({ name: `Mohan ${index + 1}`, label: "limit" })));
    const label = await db().label.findFirstOrThrow({ where: { workspaceId, name: "limit" } });
    const { campaign } = await draft({ labelIds: [label.id] });

    const seen = await preview(campaign.id);
    expect(seen.limit).toMatchObject({ tier: "TIER_250", limit: 250, usedLast24h: 247, newCustomers: 5, room: 3, verdict: "REFUSED" });
    expect(seen.limit.summary).toContain("only 3 more can be reached today");

    const refused = await start(campaign.id);
    expect(refused).toMatchObject({ __typename: "MessagingLimitError", limit: 250, usedLast24h: 247, newCustomers: 5, room: 3 });
    expect(refused.message).toContain("5 new customers");
    expect((await db().campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status).toBe("DRAFT");
    expect(await db().whatsAppMessage.count({ where: { campaignId: campaign.id } })).toBe(0);
  });

  it("sends a scheduled campaign the limit refuses back to draft, saying why", async () => {
    await db().whatsAppPhoneNumber.update({ where: { phoneNumberId: TEST_PHONE_NUMBER_ID }, data: { messagingLimitTier: "TIER_250" } });
    await alreadyReached(249);
    await customers({ name: "Qadir Later", label: "scheduled" }, { name: "Rani Later", label: "scheduled" });
    const label = await db().label.findFirstOrThrow({ where: { workspaceId, name: "scheduled" } });
    const { campaign } = await draft({ labelIds: [label.id] }, { scheduledAt: new Date(Date.now() + 1500).toISOString() });
    expect((await start(campaign.id)).campaign.status).toBe("SCHEDULED");
    const row = await eventually(async () => {
      const now = await db().campaign.findUniqueOrThrow({ where: { id: campaign.id } });
      return now.status === "DRAFT" && now;
    }, "the scheduled campaign back to draft");
    expect(row.pausedReason).toContain("only 1 more can be reached today");
    expect(await db().whatsAppMessage.count({ where: { campaignId: campaign.id } })).toBe(0);
  });

  it("splits over days when asked: today's room goes now, the rest waits in the outbox for the next day", async () => {
    await db().whatsAppPhoneNumber.update({ where: { phoneNumberId: TEST_PHONE_NUMBER_ID }, data: { messagingLimitTier: "TIER_250" } });
    await alreadyReached(248);
    const people = await customers(...Array.from({ length: 5 }, (_, index) => ({ name: `Nila ${index + 1}`, label: "split" })));
    // A customer who wrote in the last hours has an open window: the limit does not count them.
    const [writer] = await customers({ name: "Om Writer", label: "split", lastMessageDaysAgo: 0 });
    await db().conversation.updateMany({ where: { waId: writer!.waId }, data: { lastInboundAt: new Date() } });
    const label = await db().label.findFirstOrThrow({ where: { workspaceId, name: "split" } });
    const { campaign } = await draft({ labelIds: [label.id] }, { splitOverDays: true });

    const before = Date.now();
    const seen = await preview(campaign.id);
    expect(seen.limit).toMatchObject({ verdict: "SPLIT", newCustomers: 5, room: 2 });
    expect(seen.limit.batches.map((batch: { count: number }) => batch.count)).toEqual([3, 3]);
    expect(new Date(seen.limit.batches[1].notBefore).getTime()).toBeGreaterThanOrEqual(before + DAY_MS + SPLIT_MARGIN_MS);
    expect(seen.limit.summary).toMatch(/split over 2 days: 3 now, then 3/);

    const started = await start(campaign.id);
    expect(started.campaign).toMatchObject({ status: "RUNNING", total: 6 });
    const ours = new Set([...people, writer!].map((person) => person.waId));
    const sentNow = () => whatsapp.simulator.sentMessages().filter((message) => ours.has(message.to));
    await eventually(() => sentNow().length === 3, "today's three recipients sent");
    // Nothing more goes today: the other three wait for tomorrow, queued in the outbox.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sentNow()).toHaveLength(3);
    const waiting = await db().whatsAppMessage.findMany({ where: { campaignId: campaign.id, status: "QUEUED" } });
    expect(waiting).toHaveLength(3);
    for (const row of waiting) expect(row.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(before + DAY_MS + SPLIT_MARGIN_MS);
    expect(sentNow().map((message) => message.to)).toContain(writer!.waId);
    const progress = await graphql(server, `query($id: ID!) { campaign(id: $id) { status queued sent } }`, { id: campaign.id });
    expect(progress.data.campaign).toMatchObject({ status: "RUNNING", queued: 3 });
  });
});
