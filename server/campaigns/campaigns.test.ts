import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../auth/auth.service.ts";
import { DEFAULT_TEMPLATES } from "../simulator/templates.ts";
import { graphql, startTestServer, type TestServer } from "../tests/support/harness.ts";
import { eventually, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";

// Campaigns against the Cloud API simulator: audiences and their exclusions, the lifecycle, each
// recipient sent exactly once (also across a restart), automatic pauses, and the report.

let whatsapp: SimulatedWhatsApp;
/** The server now: the restart test replaces it (the first one's folder holds the database). */
let server: TestServer;
let workspaceId: string;
let agentToken: string;
const db = () => server.app.db;

const FESTIVAL_OFFER = {
  id: "1000000000000099",
  name: "festival_offer",
  language: "en",
  status: "APPROVED",
  category: "MARKETING",
  components: [{ type: "BODY", text: "Hi {{1}}, enjoy {{2}} off this Diwali!" }],
};

beforeAll(async () => {
  // A slow rate, so that pausing and restarting happen while recipients are still waiting.
  whatsapp = await startWithSimulator({ WHATSAPP_SEND_RATE_PER_SECOND: "20" });
  server = whatsapp.server;
  whatsapp.simulator.setTemplates([...DEFAULT_TEMPLATES, FESTIVAL_OFFER] as typeof DEFAULT_TEMPLATES);
  const sync = await graphql(server, `mutation { syncWhatsAppTemplates { __typename } }`);
  expect(sync.data.syncWhatsAppTemplates.__typename).toBe("MutationSyncWhatsAppTemplatesSuccess");
  const admin = await db().user.findFirstOrThrow({ where: { role: "ADMIN" } });
  workspaceId = admin.workspaceId;
  const agent = await db().user.create({ data: { workspaceId, email: "agent@campaigns.test", name: "Agent", role: "AGENT", passwordHash: "token only" } });
  agentToken = (await createApiToken(db(), { userId: agent.id, workspaceId, role: "AGENT", csrfToken: null }, "agent")).token;
}, 30_000);
afterAll(async () => {
  await whatsapp.simulator.stop();
  if (server !== whatsapp.server) {
    await server.stop();
    rmSync(whatsapp.server.dir, { recursive: true, force: true });
  } else await whatsapp.server.stop();
});

let numberSequence = 0;
/** Contacts with fresh numbers, wearing the label. */
async function contactsWithLabel(label: string, count: number, extra: { marketingConsent?: "OPTED_IN" | "OPTED_OUT" } = {}) {
  const labelRow = await db().label.upsert({ where: { workspaceId_name: { workspaceId, name: label } }, create: { workspaceId, name: label, color: "#25d366" }, update: {} });
  const contacts = Array.from({ length: count }, () => {
    const n = ++numberSequence;
    return { workspaceId, name: `Customer ${n}`, whatsappNumber: `+9198${String(20_000_000 + n).padStart(8, "0")}`, ...extra };
  });
  await db().contact.createMany({ data: contacts });
  const rows = await db().contact.findMany({ where: { workspaceId, whatsappNumber: { in: contacts.map((contact) => contact.whatsappNumber) } } });
  await db().contactLabel.createMany({ data: rows.map((contact) => ({ contactId: contact.id, labelId: labelRow.id })) });
  return { labelId: labelRow.id, contacts: rows };
}

const CAMPAIGN_FIELDS = `id status pausedReason total queued sent delivered read replied failed skipped cancelled estimatedCost currency
  exclusions { reason count } failures { code title count }`;

const CREATE = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) {
  __typename
  ... on MutationCreateCampaignSuccess { campaign { ${CAMPAIGN_FIELDS} } }
  ... on ValidationError { fieldErrors { field message } }
  ... on ForbiddenError { message }
} }`;

async function create(input: Record<string, unknown>) {
  const answer = await graphql(server, CREATE, {
    input: { name: "Diwali", templateName: "festival_offer", languageCode: "en", bodyParameters: [{ contactField: "firstName" }, { text: "20%" }], ...input },
  });
  expect(answer.errors).toBeUndefined();
  return answer.data.createCampaign;
}

async function lifecycle(verb: "start" | "pause" | "resume" | "cancel", id: string, token?: string) {
  const field = `${verb}Campaign`;
  const answer = await graphql(server, `mutation($id: ID!) { ${field}(id: $id) { __typename ... on Mutation${field[0]!.toUpperCase()}${field.slice(1)}Success { campaign { ${CAMPAIGN_FIELDS} } } ... on Error { message } } }`, { id }, token ? { token } : undefined);
  expect(answer.errors).toBeUndefined();
  return answer.data[field];
}

async function campaign(id: string) {
  const answer = await graphql(server, `query($id: ID!) { campaign(id: $id) { ${CAMPAIGN_FIELDS} } }`, { id });
  return answer.data.campaign;
}

/** What the simulator received for these numbers: each `to` once is exactly once. */
function sentTo(contacts: Array<{ whatsappNumber: string | null }>) {
  const numbers = new Set(contacts.map((contact) => contact.whatsappNumber!.slice(1)));
  return whatsapp.simulator.sentMessages().filter((message) => numbers.has(message.to));
}

describe("creating a campaign", () => {
  it("names every refused field and stores nothing", async () => {
    const before = await db().campaign.count();
    const refused = await create({ name: " ", templateName: "no_such_template", audience: {} });
    expect(refused.__typename).toBe("ValidationError");
    expect(refused.fieldErrors.map((error: { field: string }) => error.field).sort()).toEqual(["audience", "name", "templateName"]);
    const wrongCount = await create({ audience: { labelIds: [] , contactIds: [] }, bodyParameters: [{ text: "only one" }] });
    expect(wrongCount.fieldErrors.map((error: { field: string }) => error.field)).toEqual(["audience", "bodyParameters"]);
    const unknownLabel = await create({ audience: { labelIds: ["nope"] } });
    expect(unknownLabel.fieldErrors).toEqual([{ field: "audience.labelIds", message: "Some of these labels do not exist" }]);
    expect(await db().campaign.count()).toBe(before);
  });

  it("is for admins only; agents may read campaigns", async () => {
    const { labelId } = await contactsWithLabel("agents-cannot", 1);
    const asAgent = await graphql(server, CREATE, { input: { name: "x", templateName: "festival_offer", languageCode: "en", audience: { labelIds: [labelId] } } }, { token: agentToken });
    expect(asAgent.data.createCampaign.__typename).toBe("ForbiddenError");
    const draft = await create({ audience: { labelIds: [labelId] } });
    expect((await lifecycle("start", draft.campaign.id, agentToken)).__typename).toBe("ForbiddenError");
    expect((await db().campaign.findUniqueOrThrow({ where: { id: draft.campaign.id } })).status).toBe("DRAFT");
    const read = await graphql(server, `{ campaigns { id status } }`, {}, { token: agentToken });
    expect(read.data.campaigns).toContainEqual({ id: draft.campaign.id, status: "DRAFT" });
    await lifecycle("cancel", draft.campaign.id);
  });
});

describe("a campaign's audience", () => {
  it("is the labelled contacts (on the contact or its conversation) and those named, each once, without the opted-out, the numberless and the incomplete", async () => {
    const { labelId, contacts } = await contactsWithLabel("diwali-audience", 5);
    await contactsWithLabel("diwali-audience", 2, { marketingConsent: "OPTED_OUT" });
    // A customer who wrote STOP earlier: opted out by the webhook, never sent a MARKETING campaign.
    const stopper = contacts[0]!;
    await whatsapp.simulator.sendInbound({ from: stopper.whatsappNumber!.slice(1), name: stopper.name, type: "text", text: "STOP" });
    await eventually(async () => (await db().contact.findUniqueOrThrow({ where: { id: stopper.id } })).marketingConsent === "OPTED_OUT", "STOP to opt the customer out");
    // Labelled through their conversation only.
    await whatsapp.simulator.sendInbound({ from: "919811100001", name: "Ravi Kumar", type: "text", text: "Hi!" });
    const conversation = await eventually(() => db().conversation.findFirst({ where: { waId: "919811100001" } }), "Ravi's conversation");
    const ravi = await db().contact.create({ data: { workspaceId, name: "Ravi Kumar", whatsappNumber: "+919811100001" } });
    await db().conversation.update({ where: { id: conversation.id }, data: { contactId: ravi.id } });
    await db().conversationLabel.create({ data: { conversationId: conversation.id, labelId } });
    const numberless = await db().contact.create({ data: { workspaceId, name: "No Number" } });
    const nameless = await db().contact.create({ data: { workspaceId, name: " ", whatsappNumber: "+919811100002" } });

    const draft = await create({ audience: { labelIds: [labelId], contactIds: [numberless.id, nameless.id, contacts[1]!.id] } });
    expect(draft.__typename).toBe("MutationCreateCampaignSuccess");
    expect(draft.campaign).toMatchObject({ status: "DRAFT", total: 5, skipped: 5, queued: 0, sent: 0 });
    expect(draft.campaign.exclusions).toEqual([
      { reason: "OPTED_OUT", count: 3 },
      { reason: "NO_WHATSAPP", count: 1 },
      { reason: "MISSING_VARIABLE", count: 1 },
    ]);

    const started = await lifecycle("start", draft.campaign.id);
    expect(started.campaign).toMatchObject({ status: "RUNNING", total: 5, skipped: 5, currency: "INR" });
    expect(started.campaign.estimatedCost).toBeCloseTo(5 * 0.8631, 4);
    const done = await eventually(async () => {
      const now = await campaign(draft.campaign.id);
      return now.status === "COMPLETED" && now.read === 5 && now;
    }, "the campaign to be sent and read", 20_000);
    expect(done).toMatchObject({ total: 5, queued: 0, sent: 5, delivered: 5, failed: 0, failures: [] });
    const recipients = [...contacts.slice(1), ravi];
    expect(sentTo(recipients).map((message) => message.to).sort()).toEqual(recipients.map((contact) => contact.whatsappNumber!.slice(1)).sort());
    expect(sentTo([stopper])).toEqual([]);
    const toRavi = sentTo([ravi])[0]!;
    expect(toRavi.request).toMatchObject({ type: "template", template: { name: "festival_offer" } });
    expect(JSON.stringify(toRavi.request)).toContain('"Ravi"');
    // Their messages sit in their conversations, with the template's text.
    const inInbox = await db().whatsAppMessage.findFirstOrThrow({ where: { campaignId: draft.campaign.id, conversationId: conversation.id } });
    expect(inInbox.text).toBe("Hi Ravi, enjoy 20% off this Diwali!");
    // A customer who had written keeps their place in the inbox; a new one is listed with the offer.
    expect((await db().conversation.findUniqueOrThrow({ where: { id: conversation.id } })).lastMessagePreview).toBe("Hi!");
    const newcomer = await db().conversation.findFirstOrThrow({ where: { waId: contacts[1]!.whatsappNumber!.slice(1) } });
    expect(newcomer).toMatchObject({ contactId: contacts[1]!.id, lastMessagePreview: "Hi Customer, enjoy 20% off this Diwali!" });
    expect(newcomer.lastMessageAt).toBeInstanceOf(Date);

    await whatsapp.simulator.sendInbound({ from: "919811100001", name: "Ravi Kumar", type: "text", text: "Is it valid online too?" });
    await eventually(async () => (await campaign(draft.campaign.id)).replied === 1, "Ravi's reply to count");
    // His conversation wears the campaign's label in the inbox (looked for every 10 s).
    const labelled = await eventually(
      () => db().conversationLabel.findFirst({ where: { conversationId: conversation.id, label: { name: "Campaign: Diwali" } } }),
      "Ravi's conversation to wear the campaign's label",
      20_000,
    );
    expect(labelled).toBeTruthy();
    expect(await db().conversationLabel.count({ where: { labelId: labelled.labelId } })).toBe(1);
  }, 40_000);
});

describe("the lifecycle", () => {
  it("pauses within a poll interval, resumes, and sends every recipient exactly once", async () => {
    const { labelId, contacts } = await contactsWithLabel("pause-resume", 60);
    const draft = await create({ templateName: "order_update", audience: { labelIds: [labelId] } });
    const id = draft.campaign.id;
    await lifecycle("start", id);
    await eventually(async () => (await campaign(id)).sent >= 5, "some to be sent");
    const paused = await lifecycle("pause", id);
    expect(paused.campaign).toMatchObject({ status: "PAUSED", pausedReason: "Paused by an admin" });
    // Every row not sent is given back, unclaimed: nothing holds it, nothing will send it.
    await eventually(async () => (await db().whatsAppMessage.count({ where: { campaignId: id, status: { in: ["PENDING", "QUEUED"] }, lockedUntil: { not: null } } })) === 0, "claimed rows to be given back", 10_000);
    const atPause = await campaign(id);
    expect(atPause.queued).toBeGreaterThan(0);
    expect((await lifecycle("pause", id)).__typename).toBe("CampaignStateError");
    await lifecycle("resume", id);
    await eventually(async () => (await campaign(id)).status === "COMPLETED", "the campaign to finish", 20_000);
    const sent = sentTo(contacts);
    expect(sent).toHaveLength(60);
    expect(new Set(sent.map((message) => message.to)).size).toBe(60);
  }, 40_000);

  it("keeps telling subscribers of a paused campaign while the rows under way at the pause finish", async () => {
    const { labelId, contacts } = await contactsWithLabel("paused-progress", 40);
    const id = (await create({ templateName: "order_update", audience: { labelIds: [labelId] } })).campaign.id;
    await lifecycle("start", id);
    await eventually(async () => (await campaign(id)).sent >= 3, "some to be sent");
    await lifecycle("pause", id);
    await eventually(async () => (await db().whatsAppMessage.count({ where: { campaignId: id, status: { in: ["PENDING", "QUEUED"] }, lockedUntil: { not: null } } })) === 0, "claimed rows to be sent or given back", 10_000);
    // Every row is settled: a page showing the campaign hears of it again, and reads every send.
    const updates = server.app.pubsub.subscribe("campaign", workspaceId)[Symbol.asyncIterator]();
    const heard = await Promise.race([
      (async () => {
        for (let update = await updates.next(); !update.done; update = await updates.next()) if (update.value === id) return true;
        return false;
      })(),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 3_000)),
    ]);
    await updates.return?.();
    expect(heard).toBe(true);
    const paused = await campaign(id);
    expect(paused).toMatchObject({ status: "PAUSED", sent: sentTo(contacts).length });
    expect(paused.queued).toBeGreaterThan(0);
    await lifecycle("cancel", id);
  }, 30_000);

  it("cancel stops what is not yet sent, for good", async () => {
    const { labelId, contacts } = await contactsWithLabel("cancelled", 60);
    const draft = await create({ templateName: "order_update", audience: { labelIds: [labelId] } });
    const id = draft.campaign.id;
    await lifecycle("start", id);
    await eventually(async () => (await campaign(id)).sent >= 3, "some to be sent");
    const cancelled = await lifecycle("cancel", id);
    expect(cancelled.campaign.status).toBe("CANCELLED");
    const final = await eventually(async () => {
      const now = await campaign(id);
      return now.queued === 0 && now;
    }, "nothing left to send", 10_000);
    expect(final.cancelled).toBeGreaterThan(0);
    expect(final.sent + final.failed + final.cancelled).toBe(60);
    expect(sentTo(contacts)).toHaveLength(final.sent);
    expect((await lifecycle("resume", id)).__typename).toBe("CampaignStateError");
  }, 30_000);

  it("sends each recipient exactly once across a restart", async () => {
    const { labelId, contacts } = await contactsWithLabel("restart", 80);
    const draft = await create({ templateName: "order_update", audience: { labelIds: [labelId] } });
    const id = draft.campaign.id;
    await lifecycle("start", id);
    await eventually(async () => (await campaign(id)).sent >= 5, "some to be sent");
    await server.app.stop();
    const again = await startTestServer(whatsapp.env);
    whatsapp.simulator.configure({ webhookUrl: `${again.url}/api/whatsapp/webhook` });
    server = again;
    await eventually(async () => (await campaign(id)).status === "COMPLETED", "the campaign to finish after the restart", 20_000);
    const sent = sentTo(contacts);
    expect(new Set(sent.map((message) => message.to)).size).toBe(80);
    expect(sent).toHaveLength(80);
  }, 40_000);
});

describe("customers who stopped marketing in WhatsApp", () => {
  it("are opted out when Meta refuses them with 131050, and left out of the next marketing campaign", async () => {
    const { labelId, contacts } = await contactsWithLabel("stopped-in-whatsapp", 3);
    whatsapp.simulator.forceFailures({ kind: "meta", code: 131050, count: 1 });
    const first = await create({ audience: { labelIds: [labelId] } });
    await lifecycle("start", first.campaign.id);
    await eventually(async () => (await campaign(first.campaign.id)).status === "COMPLETED", "the campaign to finish", 15_000);
    const stopped = await eventually(
      () => db().contact.findFirst({ where: { id: { in: contacts.map((contact) => contact.id) }, marketingConsent: "OPTED_OUT" } }),
      "the refused customer to be opted out",
    );
    expect(stopped.marketingConsentSource).toBe("Stopped marketing messages in WhatsApp");
    const next = await create({ audience: { labelIds: [labelId] } });
    expect(next.campaign).toMatchObject({ total: 2, exclusions: [{ reason: "OPTED_OUT", count: 1 }] });
    await lifecycle("cancel", next.campaign.id);
  }, 30_000);
});

describe("a customer who stops marketing in WhatsApp itself", () => {
  it("is opted out by the user_preferences webhook and left out of the next marketing campaign", async () => {
    const { labelId, contacts } = await contactsWithLabel("user-preferences", 2);
    const stopper = contacts[0]!;
    expect((await whatsapp.simulator.sendUserPreference({ from: stopper.whatsappNumber!.slice(1), value: "stop" })).httpStatus).toBe(200);
    expect(await db().contact.findUniqueOrThrow({ where: { id: stopper.id } })).toMatchObject({ marketingConsent: "OPTED_OUT" });
    const draft = await create({ audience: { labelIds: [labelId] } });
    expect(draft.campaign).toMatchObject({ total: 1, exclusions: [{ reason: "OPTED_OUT", count: 1 }] });
    await lifecycle("cancel", draft.campaign.id);
  });
});

describe("Meta's pair rate", () => {
  it("retries a message refused with 131056 only after about 6 seconds, then sends it once", async () => {
    const { labelId, contacts } = await contactsWithLabel("pair-rate", 1);
    whatsapp.simulator.forceFailures({ kind: "meta", code: 131056, count: 1 });
    const draft = await create({ templateName: "order_update", audience: { labelIds: [labelId] } });
    await lifecycle("start", draft.campaign.id);
    const refused = await eventually(() => db().whatsAppMessage.findFirst({ where: { campaignId: draft.campaign.id, errorCode: 131056 } }), "the 131056 refusal");
    expect(refused.status).toBe("QUEUED");
    expect(refused.nextAttemptAt!.getTime() - refused.statusAt!.getTime()).toBeGreaterThanOrEqual(6_000);
    await eventually(async () => (await campaign(draft.campaign.id)).status === "COMPLETED", "the retry to be sent", 15_000);
    expect(sentTo(contacts)).toHaveLength(1);
  }, 30_000);
});

describe("automatic pauses", () => {
  it("pauses on a burst of spam-related errors, saying why, and an admin resumes it", async () => {
    const { labelId } = await contactsWithLabel("spam", 40);
    whatsapp.simulator.forceFailures({ kind: "meta", code: 131048, count: 12 });
    const draft = await create({ templateName: "order_update", audience: { labelIds: [labelId] } });
    const id = draft.campaign.id;
    await lifecycle("start", id);
    const paused = await eventually(async () => {
      const now = await campaign(id);
      return now.status === "PAUSED" && now;
    }, "the campaign to pause itself", 15_000);
    expect(paused.pausedReason).toMatch(/spam-related \(131048 and kin\)/);
    expect(paused.failures[0]).toMatchObject({ code: 131048 });
    await lifecycle("resume", id);
    const done = await eventually(async () => {
      const now = await campaign(id);
      return now.status === "COMPLETED" && now;
    }, "the campaign to finish", 20_000);
    expect(done.failed + done.sent).toBe(40);
    expect(done.failed).toBe(12);
  }, 40_000);

  it("pauses running campaigns when WhatsApp flags the number's quality", async () => {
    const { labelId } = await contactsWithLabel("quality", 200);
    const draft = await create({ templateName: "order_update", audience: { labelIds: [labelId] } });
    const id = draft.campaign.id;
    await lifecycle("start", id);
    // As Meta sends it: the number named by its display number, under the business account.
    expect((await whatsapp.simulator.updateQuality({ event: "FLAGGED", limit: "TIER_10K" })).httpStatus).toBe(200);
    const paused = await campaign(id);
    expect(paused.status).toBe("PAUSED");
    expect(paused.pausedReason).toMatch(/^Paused automatically: WhatsApp flagged the quality of \+\d+$/);
    expect(paused.queued).toBeGreaterThan(0);
    await lifecycle("cancel", id);
  }, 30_000);
});
