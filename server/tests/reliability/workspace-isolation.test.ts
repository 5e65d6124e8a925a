import { readFile } from "node:fs/promises";
import { createClient, type Client } from "graphql-ws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { schema } from "../../graphql/schema.ts";
import { conversationFilePath, type ConversationFile } from "../../storage/conversation-files.ts";
import { ADMIN_API_TOKEN, createOtherWorkspace, loginAs, type TestServer } from "../support/harness.ts";
import { eventually, SIMULATOR_TOKEN, startWithSimulator, type SimulatedWhatsApp } from "../support/simulated-whatsapp.ts";
import { deliverWebhook } from "../support/webhook-client.ts";
import { change, envelope, inbound, status, TEST_APP_SECRET, TEST_PHONE_NUMBER_ID, TEST_WABA_ID, wamid } from "../support/webhook-fixtures.ts";
import { historyChunk, historyMessage } from "../support/coexistence-fixtures.ts";
import { signPayload } from "../../whatsapp/signature.ts";

// Two businesses on one server. Workspace A owns the configured WhatsApp number and has a
// contact, a conversation, messages and API tokens; workspace B (the caller) tries to reach them
// through every door: each GraphQL field, each REST route, each subscription, the files.
// The list of cases is checked against the schema and the routes: a new field or route fails
// here until someone writes down how it keeps workspaces apart.

const A_CUSTOMER = "919811100001";
const B_NUMBER_ID = "200000000000002";
const B_PASSWORD = "other password 123";

let whatsapp: SimulatedWhatsApp;
let server: TestServer;
const a = { contactId: "", conversationId: "", inboundMessageId: "", outboundWamid: "", tokenIds: [] as string[], userId: "", session: { cookie: "", csrfToken: "" } };
/** Workspace A's conversation workflow: a label on its conversation, a note, a canned response. */
const aWorkflow = { labelId: "", noteId: "", cannedId: "", campaignId: "", savedFilterId: "" };
const b = { token: "", userId: "", workspaceId: "", email: "", expiredToken: "", revokedToken: "" };

const db = () => server.app.db;

async function gql(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = { authorization: `Bearer ${b.token}` }) {
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  return { status: response.status, data: body.data, errors: body.errors, text: JSON.stringify(body) };
}

async function rest(method: string, route: string, body?: unknown, headers: Record<string, string> = { authorization: `Bearer ${b.token}` }) {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, body: text.startsWith("{") ? JSON.parse(text) : null };
}

/** Everything of workspace A a caller could change: compared before and after each attempt. */
async function workspaceA() {
  const workspaceId = (await db().user.findUniqueOrThrow({ where: { id: a.userId } })).workspaceId;
  return JSON.stringify(
    await Promise.all([
      db().contact.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
      db().conversation.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
      db().whatsAppMessage.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
      db().apiToken.findMany({ where: { userId: a.userId }, orderBy: { id: "asc" } }),
      db().session.findMany({ where: { userId: a.userId }, orderBy: { id: "asc" } }),
      db().autoReplyRule.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
      db().workspace.findUnique({ where: { id: workspaceId } }),
      db().label.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
      db().conversationLabel.findMany({ where: { labelId: aWorkflow.labelId }, orderBy: { conversationId: "asc" } }),
      db().contactLabel.findMany({ where: { labelId: aWorkflow.labelId }, orderBy: { contactId: "asc" } }),
      db().conversationNote.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
      db().campaign.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
      db().cannedResponse.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
      db().user.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
      db().invite.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
      db().whatsAppPhoneNumber.findMany({ where: { workspaceId }, orderBy: { phoneNumberId: "asc" } }),
      db().contactFieldValue.findMany({ where: { workspaceId }, orderBy: [{ contactId: "asc" }, { key: "asc" }] }),
      db().savedFilter.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
    ]),
    (key, value) => (key === "lastUsedAt" || key === "updatedAt" || key === "lastSeenAt" ? undefined : value),
  );
}

beforeAll(async () => {
  whatsapp = await startWithSimulator();
  server = whatsapp.server;
  const admin = await db().user.findFirstOrThrow({ where: { role: "ADMIN" } });
  a.userId = admin.id;
  await whatsapp.simulator.sendInbound({ from: A_CUSTOMER, name: "Priya", type: "text", text: "A's secret order #4711" });
  a.conversationId = (await db().conversation.findFirstOrThrow({ where: { waId: A_CUSTOMER } })).id;
  a.inboundMessageId = (await db().whatsAppMessage.findFirstOrThrow({ where: { conversationId: a.conversationId, direction: "INBOUND" } })).id;
  a.contactId = (await db().contact.create({ data: { workspaceId: admin.workspaceId, name: "Priya of A", whatsappNumber: `+${A_CUSTOMER}` } })).id;
  const sent = await fetch(`${server.url}/api/whatsapp/send`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_API_TOKEN}` },
    body: JSON.stringify({ contactId: a.contactId, message: "A's reply" }),
  });
  a.outboundWamid = ((await sent.json()) as { messageId: string }).messageId;
  await eventually(async () => (await db().whatsAppMessage.findUnique({ where: { wamid: a.outboundWamid } }))?.status === "READ", "A's reply to be read");
  a.tokenIds = (await db().apiToken.findMany({ where: { userId: a.userId } })).map((token) => token.id);
  aWorkflow.labelId = (await db().label.create({ data: { workspaceId: admin.workspaceId, name: "A's VIP", color: "#25d366" } })).id;
  await db().conversationLabel.create({ data: { conversationId: a.conversationId, labelId: aWorkflow.labelId } });
  aWorkflow.noteId = (await db().conversationNote.create({ data: { workspaceId: admin.workspaceId, conversationId: a.conversationId, authorId: a.userId, body: "A's secret order note" } })).id;
  aWorkflow.campaignId = (
    await db().campaign.create({
      data: { workspaceId: admin.workspaceId, name: "A's secret sale", templateName: "order_update", languageCode: "en", audience: JSON.stringify({ labelIds: [aWorkflow.labelId], contactIds: [] }), bodyParameters: "[]" },
    })
  ).id;
  await db().contactFieldValue.create({ data: { contactId: a.contactId, workspaceId: admin.workspaceId, key: "a_secret_field", value: "A's secret value" } });
  aWorkflow.savedFilterId = (await db().savedFilter.create({ data: { workspaceId: admin.workspaceId, name: "A's secret filter", optedIn: true } })).id;
  aWorkflow.cannedId = (await db().cannedResponse.create({ data: { workspaceId: admin.workspaceId, shortcut: "a-secret", body: "A's secret order reply", buttons: JSON.stringify([{ id: "a-secret", title: "A's secret" }]) } })).id;
  const adminSession = await loginAs(server);
  a.session = { cookie: adminSession.cookie!, csrfToken: adminSession.csrfToken };

  const other = await createOtherWorkspace(server);
  Object.assign(b, { token: other.token, userId: other.user.id, workspaceId: other.workspace.id, email: other.user.email });
  // B owns a business number of its own (not the one configured for sending).
  await db().whatsAppPhoneNumber.create({ data: { phoneNumberId: B_NUMBER_ID, workspaceId: b.workspaceId } });
  const expiring = await gql(`mutation { createApiToken(name: "expiring") { ... on MutationCreateApiTokenSuccess { data { token apiToken { id } } } } }`);
  b.expiredToken = expiring.data.createApiToken.data.token;
  await db().apiToken.update({ where: { id: expiring.data.createApiToken.data.apiToken.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  const revoking = await gql(`mutation { createApiToken(name: "revoked") { ... on MutationCreateApiTokenSuccess { data { token apiToken { id } } } } }`);
  b.revokedToken = revoking.data.createApiToken.data.token;
  await gql(`mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }`, { id: revoking.data.createApiToken.data.apiToken.id });
}, 30_000);
afterAll(() => whatsapp.stop());

/** Workspace A's auto-replies: a rule (disabled: it must not answer A's customer here) and its hours. */
const aAutoReply = { ruleId: "" };
beforeAll(async () => {
  const { workspaceId } = await db().user.findUniqueOrThrow({ where: { id: a.userId } });
  aAutoReply.ruleId = (await db().autoReplyRule.create({ data: { workspaceId, kind: "KEYWORD", keywords: "a-secret-keyword", reply: "A's secret order reply", enabled: false } })).id;
  await db().workspace.update({ where: { id: workspaceId }, data: { timeZone: "Europe/London", businessHours: JSON.stringify({ mon: [["09:00", "17:00"]] }) } });
});

/** Workspace A's team: an agent, and an invitation not yet used. */
const aTeam = { agentId: "", inviteId: "" };
beforeAll(async () => {
  const { workspaceId } = await db().user.findUniqueOrThrow({ where: { id: a.userId } });
  aTeam.agentId = (await db().user.create({ data: { workspaceId, email: "a-agent@example.com", name: "A's agent", role: "AGENT", passwordHash: "not used" } })).id;
  const invited = await gql(`mutation { inviteAgent(input: { email: "a-new@example.com", name: "A's new agent", role: AGENT }) { ... on MutationInviteAgentSuccess { invite { id } } } }`, {}, { authorization: `Bearer ${ADMIN_API_TOKEN}` });
  aTeam.inviteId = invited.data.inviteAgent.invite.id;
});

/** Workspace A's media: a customer's photo (downloaded) and a file an agent of A uploaded. */
const aMedia = { messageId: "", mediaId: "" };
const PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
beforeAll(async () => {
  const { wamid } = await whatsapp.simulator.sendInbound({ from: A_CUSTOMER, type: "image", image: { caption: "A's secret order photo" } });
  aMedia.messageId = (await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid } })).id;
  await eventually(async () => (await db().whatsAppMessage.findUniqueOrThrow({ where: { id: aMedia.messageId } })).mediaState === "STORED", "A's photo to be stored");
  const uploaded = await fetch(`${server.url}/api/media/uploads?filename=a.png`, {
    method: "POST",
    headers: { "content-type": "image/png", authorization: `Bearer ${ADMIN_API_TOKEN}` },
    body: Buffer.from(PNG_1PX, "base64"),
  });
  aMedia.mediaId = ((await uploaded.json()) as { mediaId: string }).mediaId;
});

interface FieldCase {
  /** The operation B sends, naming one of A's records where the field takes an id. */
  operation: string;
  variables?: () => Record<string, unknown>;
  /** What B must get back. Every case also checks that nothing of A changed. */
  expectRefused(answer: Awaited<ReturnType<typeof gql>>): void | Promise<void>;
}

const idsIn = (edges: Array<{ node: { id: string } }>) => edges.map((edge) => edge.node.id);

const QUERY_CASES: Record<string, FieldCase> = {
  campaign: {
    operation: `query($id: ID!) { campaign(id: $id) { id name } }`,
    variables: () => ({ id: aWorkflow.campaignId }),
    expectRefused: ({ data }) => expect(data.campaign).toBeNull(),
  },
  campaigns: {
    operation: `{ campaigns { id name } }`,
    expectRefused: ({ data }) => expect(data.campaigns).toEqual([]),
  },
  campaignPreview: {
    operation: `query($id: ID!) { campaignPreview(id: $id) { __typename } }`,
    variables: () => ({ id: aWorkflow.campaignId }),
    expectRefused: ({ data }) => expect(data.campaignPreview.__typename).toBe("NotFoundError"),
  },
  contactCustomFields: {
    operation: `{ contactCustomFields }`,
    expectRefused: ({ data }) => expect(data.contactCustomFields).toEqual([]),
  },
  savedFilters: {
    operation: `{ savedFilters { id name } }`,
    expectRefused: ({ data }) => expect(data.savedFilters).toEqual([]),
  },
  autoReplyRules: {
    operation: `{ autoReplyRules { id reply } }`,
    expectRefused: ({ data }) => expect(data.autoReplyRules).toEqual([]),
  },
  autoReplySettings: {
    operation: `{ autoReplySettings { timeZone businessHours { day } } }`,
    expectRefused: ({ data }) => expect(data.autoReplySettings).toEqual({ timeZone: "Asia/Kolkata", businessHours: null }),
  },
  agents: {
    operation: `{ agents { id } }`,
    expectRefused: ({ data }) => expect(data.agents).toEqual([{ id: b.userId }]),
  },
  cannedResponses: {
    operation: `{ cannedResponses { id body buttons { id title } } }`,
    expectRefused: ({ data }) => expect(data.cannedResponses).toEqual([]),
  },
  historyImport: {
    // A's number's import, asked for by name: B's workspace has none of it.
    operation: `{ historyImport(phoneNumberId: "${TEST_PHONE_NUMBER_ID}") { messages threads } }`,
    expectRefused: ({ data }) => expect(data.historyImport).toBeNull(),
  },
  historyImports: {
    operation: `{ historyImports { phoneNumberId messages } }`,
    expectRefused: ({ data }) => expect(data.historyImports.map((row: { phoneNumberId: string }) => row.phoneNumberId)).not.toContain(TEST_PHONE_NUMBER_ID),
  },
  invites: {
    operation: `{ invites { ... on QueryInvitesSuccess { invites { id } } } }`,
    expectRefused: ({ data }) => expect(data.invites.invites).toEqual([]),
  },
  labels: {
    operation: `{ labels { id name } }`,
    expectRefused: ({ data }) => expect(data.labels).toEqual([]),
  },
  apiTokens: {
    operation: `{ apiTokens { id } }`,
    expectRefused: ({ data }) => expect(data.apiTokens.map((token: { id: string }) => token.id)).not.toEqual(expect.arrayContaining([a.tokenIds[0]])),
  },
  contact: {
    operation: `query($id: ID!) { contact(id: $id) { id name } }`,
    variables: () => ({ id: a.contactId }),
    expectRefused: ({ data }) => expect(data.contact).toBeNull(),
  },
  contacts: {
    operation: `{ all: contacts(first: 100) { edges { node { id } } } byName: contacts(search: "Priya") { edges { node { id } } } byNumber: contacts(search: "${A_CUSTOMER}") { edges { node { id } } } }`,
    expectRefused: ({ data }) => expect([...idsIn(data.all.edges), ...idsIn(data.byName.edges), ...idsIn(data.byNumber.edges)]).not.toContain(a.contactId),
  },
  conversation: {
    operation: `query($id: ID!) { conversation(id: $id) { id } }`,
    variables: () => ({ id: a.conversationId }),
    expectRefused: ({ data }) => expect(data.conversation).toBeNull(),
  },
  conversations: {
    operation: `query($labelId: ID, $assigneeId: ID) { all: conversations(first: 100) { edges { node { id } } } byNumber: conversations(search: "${A_CUSTOMER}") { edges { node { id } } }
      byLabel: conversations(labelId: $labelId, status: OPEN) { edges { node { id } } } byAgent: conversations(assigneeId: $assigneeId) { edges { node { id } } }
      onANumber: conversations(phoneNumberId: "${TEST_PHONE_NUMBER_ID}") { edges { node { id } } } }`,
    variables: () => ({ labelId: aWorkflow.labelId, assigneeId: a.userId }),
    expectRefused: ({ data }) =>
      expect([...idsIn(data.all.edges), ...idsIn(data.byNumber.edges), ...idsIn(data.byLabel.edges), ...idsIn(data.byAgent.edges), ...idsIn(data.onANumber.edges)]).not.toContain(
        a.conversationId,
      ),
  },
  deliveryReport: {
    operation: `{ deliveryReport { ... on QueryDeliveryReportSuccess { report { totals { inbound outbound } cost { billableMessages } } } } }`,
    async expectRefused({ data }) {
      const own = await db().whatsAppMessage.count({ where: { workspaceId: b.workspaceId } });
      const { totals } = data.deliveryReport.report;
      expect(totals.inbound + totals.outbound).toBe(own);
    },
  },
  messages: {
    operation: `query($id: ID!) { messages(conversationId: $id, last: 50) { edges { node { id text } } } }`,
    variables: () => ({ id: a.conversationId }),
    expectRefused: ({ data }) => expect(data.messages.edges).toEqual([]),
  },
  viewer: {
    operation: `{ viewer { id workspace { id } } }`,
    expectRefused: ({ data }) => expect(data.viewer).toEqual({ id: b.userId, workspace: { id: b.workspaceId } }),
  },
  whatsappStatus: {
    operation: `{ whatsappStatus { configured missing message } }`,
    expectRefused: ({ data }) => expect(data.whatsappStatus.configured).toBe(false),
  },
  whatsappNumbers: {
    operation: `{ whatsappNumbers { id verifiedName displayPhoneNumber } }`,
    // Only B's own number (made in beforeAll), never A's.
    expectRefused: ({ data }) => expect(data.whatsappNumbers).toEqual([{ id: B_NUMBER_ID, verifiedName: null, displayPhoneNumber: null }]),
  },
  whatsappTemplates: {
    operation: `{ whatsappTemplates(statuses: []) { name body status } }`,
    expectRefused: ({ data }) => expect(data.whatsappTemplates).toEqual([]),
  },
  whatsappWindow: {
    operation: `query($id: ID!) { whatsappWindow(contactId: $id) { __typename } }`,
    variables: () => ({ id: a.contactId }),
    expectRefused: ({ data }) => expect(data.whatsappWindow.__typename).toBe("NotFoundError"),
  },
};

const sentBefore = { count: 0 };
const notFound = (field: string) => ({ data }: { data: Record<string, { __typename: string }> }) => expect(data[field]!.__typename).toBe("NotFoundError");
const MUTATION_CASES: Record<string, FieldCase> = {
  importContacts: {
    // A's customer's number, into B's workspace wearing A's label: refused, and A's contact untouched.
    operation: `mutation($labelId: ID!) { importContacts(input: { csv: "name,phone,a_secret_field\\nHijacked,+${A_CUSTOMER},B's value", labelIds: [$labelId] }) { __typename } }`,
    variables: () => ({ labelId: aWorkflow.labelId }),
    expectRefused: ({ data }) => expect(data.importContacts.__typename).toBe("ValidationError"),
  },
  createSavedFilter: {
    operation: `mutation($labelId: ID!) { createSavedFilter(input: { name: "B's", labelIds: [$labelId] }) { __typename } }`,
    variables: () => ({ labelId: aWorkflow.labelId }),
    expectRefused: ({ data }) => expect(data.createSavedFilter.__typename).toBe("ValidationError"),
  },
  deleteSavedFilter: {
    operation: `mutation($id: ID!) { deleteSavedFilter(id: $id) { __typename } }`,
    variables: () => ({ id: aWorkflow.savedFilterId }),
    expectRefused: notFound("deleteSavedFilter"),
  },
  cancelCampaign: {
    operation: `mutation($id: ID!) { cancelCampaign(id: $id) { __typename } }`,
    variables: () => ({ id: aWorkflow.campaignId }),
    expectRefused: ({ data }) => expect(data.cancelCampaign.__typename).toBe("NotFoundError"),
  },
  pauseCampaign: {
    operation: `mutation($id: ID!) { pauseCampaign(id: $id) { __typename } }`,
    variables: () => ({ id: aWorkflow.campaignId }),
    expectRefused: ({ data }) => expect(data.pauseCampaign.__typename).toBe("NotFoundError"),
  },
  resumeCampaign: {
    operation: `mutation($id: ID!) { resumeCampaign(id: $id) { __typename } }`,
    variables: () => ({ id: aWorkflow.campaignId }),
    expectRefused: ({ data }) => expect(data.resumeCampaign.__typename).toBe("NotFoundError"),
  },
  startCampaign: {
    operation: `mutation($id: ID!) { startCampaign(id: $id) { __typename } }`,
    variables: () => ({ id: aWorkflow.campaignId }),
    expectRefused: ({ data }) => expect(data.startCampaign.__typename).toBe("NotFoundError"),
  },
  createCampaign: {
    operation: `mutation($labelId: ID!) { createCampaign(input: { name: "B's", templateName: "order_update", languageCode: "en", audience: { labelIds: [$labelId] } }) { __typename } }`,
    variables: () => ({ labelId: aWorkflow.labelId }),
    // WhatsApp is A's: B may not even read A's templates through a campaign.
    expectRefused: ({ data }) => expect(data.createCampaign.__typename).toBe("WhatsAppNotConfiguredError"),
  },
  createAutoReplyRule: {
    operation: `mutation { createAutoReplyRule(input: { kind: GREETING, reply: "B's welcome" }) { __typename } }`,
    // Allowed in B's own workspace; A's rules stay as they were (checked by the caller).
    expectRefused: ({ data }) => expect(data.createAutoReplyRule.__typename).toBe("MutationCreateAutoReplyRuleSuccess"),
  },
  deleteAutoReplyRule: {
    operation: `mutation($id: ID!) { deleteAutoReplyRule(id: $id) { __typename } }`,
    variables: () => ({ id: aAutoReply.ruleId }),
    expectRefused: ({ data }) => expect(data.deleteAutoReplyRule.__typename).toBe("NotFoundError"),
  },
  updateAutoReplyRule: {
    operation: `mutation($id: ID!) { updateAutoReplyRule(id: $id, input: { reply: "Hijacked", enabled: true }) { __typename } }`,
    variables: () => ({ id: aAutoReply.ruleId }),
    expectRefused: ({ data }) => expect(data.updateAutoReplyRule.__typename).toBe("NotFoundError"),
  },
  updateAutoReplySettings: {
    operation: `mutation { updateAutoReplySettings(input: { timeZone: "America/New_York", businessHours: null }) { __typename } }`,
    // B changes its own settings only: A's time zone and hours stay (the workspace row is compared).
    expectRefused: ({ data }) => expect(data.updateAutoReplySettings.__typename).toBe("MutationUpdateAutoReplySettingsSuccess"),
  },
  addConversationLabel: {
    operation: `mutation($c: ID!, $l: ID!) { addConversationLabel(conversationId: $c, labelId: $l) { __typename } }`,
    variables: () => ({ c: a.conversationId, l: aWorkflow.labelId }),
    expectRefused: notFound("addConversationLabel"),
  },
  addConversationNote: {
    operation: `mutation($c: ID!) { addConversationNote(conversationId: $c, body: "from B") { __typename } }`,
    variables: () => ({ c: a.conversationId }),
    expectRefused: notFound("addConversationNote"),
  },
  assignConversation: {
    operation: `mutation($c: ID!, $me: ID!) { toB: assignConversation(conversationId: $c, assigneeId: $me) { __typename } unassign: assignConversation(conversationId: $c) { __typename } }`,
    variables: () => ({ c: a.conversationId, me: b.userId }),
    expectRefused: ({ data }) => expect([data.toB.__typename, data.unassign.__typename]).toEqual(["NotFoundError", "NotFoundError"]),
  },
  createCannedResponse: {
    operation: `mutation { createCannedResponse(input: { shortcut: "a-secret", body: "B's own" }) { __typename } }`,
    // Allowed in B's own workspace: shortcuts are unique per workspace, A's is untouched (checked by the caller).
    expectRefused: ({ data }) => expect(data.createCannedResponse.__typename).toBe("MutationCreateCannedResponseSuccess"),
  },
  createLabel: {
    operation: `mutation { createLabel(input: { name: "A's VIP", color: "#000000" }) { __typename } }`,
    expectRefused: ({ data }) => expect(data.createLabel.__typename).toBe("MutationCreateLabelSuccess"),
  },
  deleteCannedResponse: {
    operation: `mutation($id: ID!) { deleteCannedResponse(id: $id) { __typename } }`,
    variables: () => ({ id: aWorkflow.cannedId }),
    expectRefused: notFound("deleteCannedResponse"),
  },
  deleteConversationNote: {
    operation: `mutation($id: ID!) { deleteConversationNote(id: $id) { __typename } }`,
    variables: () => ({ id: aWorkflow.noteId }),
    expectRefused: notFound("deleteConversationNote"),
  },
  deleteLabel: {
    operation: `mutation($id: ID!) { deleteLabel(id: $id) { __typename } }`,
    variables: () => ({ id: aWorkflow.labelId }),
    expectRefused: notFound("deleteLabel"),
  },
  removeConversationLabel: {
    operation: `mutation($c: ID!, $l: ID!) { removeConversationLabel(conversationId: $c, labelId: $l) { __typename } }`,
    variables: () => ({ c: a.conversationId, l: aWorkflow.labelId }),
    expectRefused: notFound("removeConversationLabel"),
  },
  setConversationStatus: {
    operation: `mutation($c: ID!) { setConversationStatus(conversationId: $c, status: RESOLVED) { __typename } }`,
    variables: () => ({ c: a.conversationId }),
    expectRefused: notFound("setConversationStatus"),
  },
  updateCannedResponse: {
    operation: `mutation($id: ID!) { updateCannedResponse(id: $id, input: { shortcut: "x", body: "hijacked" }) { __typename } }`,
    variables: () => ({ id: aWorkflow.cannedId }),
    expectRefused: notFound("updateCannedResponse"),
  },
  updateLabel: {
    operation: `mutation($id: ID!) { updateLabel(id: $id, input: { name: "hijacked", color: "#000000" }) { __typename } }`,
    variables: () => ({ id: aWorkflow.labelId }),
    expectRefused: notFound("updateLabel"),
  },
  inviteAgent: {
    operation: `mutation { inviteAgent(input: { email: "b-new@example.com", name: "B's new agent", role: ADMIN }) { ... on MutationInviteAgentSuccess { invite { id } } } }`,
    // Allowed into B's own workspace; A's invitations stay as they were (checked by the caller).
    expectRefused: ({ data }) => expect(data.inviteAgent.invite.id).not.toBe(aTeam.inviteId),
  },
  revokeInvite: {
    operation: `mutation($id: ID!) { revokeInvite(id: $id) { __typename } }`,
    variables: () => ({ id: aTeam.inviteId }),
    expectRefused: notFound("revokeInvite"),
  },
  createPasswordResetLink: {
    operation: `mutation($id: ID!) { createPasswordResetLink(userId: $id) { __typename } }`,
    variables: () => ({ id: aTeam.agentId }),
    expectRefused: notFound("createPasswordResetLink"),
  },
  setAgentRole: {
    operation: `mutation($id: ID!) { setAgentRole(id: $id, role: ADMIN) { __typename } }`,
    variables: () => ({ id: aTeam.agentId }),
    expectRefused: notFound("setAgentRole"),
  },
  deactivateAgent: {
    operation: `mutation($id: ID!) { deactivateAgent(id: $id) { __typename } }`,
    variables: () => ({ id: a.userId }),
    expectRefused: notFound("deactivateAgent"),
  },
  reactivateAgent: {
    operation: `mutation($id: ID!) { reactivateAgent(id: $id) { __typename } }`,
    variables: () => ({ id: aTeam.agentId }),
    expectRefused: notFound("reactivateAgent"),
  },
  changePassword: {
    operation: `mutation { changePassword(currentPassword: "${"a guess"}", newPassword: "hijacked password") { __typename } }`,
    // Only ever the caller's own password: a wrong current one changes nothing anywhere.
    expectRefused: ({ data }) => expect(data.changePassword.__typename).toBe("ValidationError"),
  },
  updateWorkspaceSettings: {
    operation: `mutation { updateWorkspaceSettings(input: { name: "Hijacked", timeZone: "America/New_York" }) { __typename } }`,
    // B renames its own workspace only: A's row is compared by the caller.
    expectRefused: ({ data }) => expect(data.updateWorkspaceSettings.__typename).toBe("MutationUpdateWorkspaceSettingsSuccess"),
  },
  createApiToken: {
    operation: `mutation { createApiToken(name: "B's script") { ... on MutationCreateApiTokenSuccess { data { token } } } }`,
    async expectRefused({ data }) {
      const viewer = await gql(`{ viewer { id } }`, {}, { authorization: `Bearer ${data.createApiToken.data.token}` });
      expect(viewer.data.viewer.id).toBe(b.userId);
    },
  },
  createContact: {
    operation: `mutation { createContact(input: { name: "B's Priya", whatsappNumber: "+${A_CUSTOMER}" }) { __typename } }`,
    async expectRefused({ data }) {
      // Allowed in B's own book; A's contact and conversation stay A's (checked by the caller).
      expect(data.createContact.__typename).toBe("MutationCreateContactSuccess");
      expect((await db().conversation.findUniqueOrThrow({ where: { id: a.conversationId } })).contactId).toBe(a.contactId);
    },
  },
  deleteContact: {
    operation: `mutation($id: ID!) { deleteContact(id: $id) { __typename } }`,
    variables: () => ({ id: a.contactId }),
    expectRefused: ({ data }) => expect(data.deleteContact.__typename).toBe("NotFoundError"),
  },
  blockCustomer: {
    operation: `mutation($id: ID!) { blockCustomer(conversationId: $id) { __typename } }`,
    variables: () => ({ id: a.conversationId }),
    expectRefused: ({ data }) => {
      expect(data.blockCustomer.__typename).toBe("NotFoundError");
      expect(whatsapp.simulator.blockedUsers()).toEqual([]);
    },
  },
  unblockCustomer: {
    operation: `mutation($id: ID!) { unblockCustomer(conversationId: $id) { __typename } }`,
    variables: () => ({ id: a.conversationId }),
    expectRefused: ({ data }) => expect(data.unblockCustomer.__typename).toBe("NotFoundError"),
  },
  markConversationRead: {
    operation: `mutation($id: ID!) { markConversationRead(id: $id) { __typename } }`,
    variables: () => ({ id: a.conversationId }),
    expectRefused: ({ data }) => expect(data.markConversationRead.__typename).toBe("NotFoundError"),
  },
  reactToMessage: {
    operation: `mutation($id: ID!) { reactToMessage(messageId: $id, emoji: "👍") { __typename } }`,
    variables: () => ({ id: a.inboundMessageId }),
    expectRefused({ data }) {
      // B does not own the configured number; were it to, A's message would still be NotFoundError (reactions.test.ts).
      expect(data.reactToMessage.__typename).toBe("WhatsAppNotConfiguredError");
      expect(whatsapp.simulator.sentMessages()).toHaveLength(sentBefore.count);
    },
  },
  revokeApiToken: {
    operation: `mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }`,
    variables: () => ({ id: a.tokenIds[0] }),
    expectRefused: ({ data }) => expect(data.revokeApiToken.__typename).toBe("NotFoundError"),
  },
  sendWhatsApp: {
    operation: `mutation($contactId: ID!, $wamid: String!) {
      byContact: sendWhatsApp(input: { contactId: $contactId, message: "from B" }) { __typename }
      byNumber: sendWhatsApp(input: { phoneNumber: "+${A_CUSTOMER}", message: "from B" }) { __typename }
      asReply: sendWhatsApp(input: { phoneNumber: "+${A_CUSTOMER}", message: "from B", replyToWamid: $wamid }) { __typename } }`,
    variables: () => ({ contactId: a.contactId, wamid: a.outboundWamid }),
    expectRefused({ data }) {
      // The configured number is A's: B sending through it would speak as A's business. (A
      // aiming at another workspace's contact gets NotFoundError: send.test.ts.)
      expect([data.byContact.__typename, data.byNumber.__typename, data.asReply.__typename]).toEqual(Array(3).fill("WhatsAppNotConfiguredError"));
      expect(whatsapp.simulator.sentMessages()).toHaveLength(sentBefore.count);
    },
  },
  sendWhatsAppTemplate: {
    operation: `mutation($contactId: ID!) {
      byContact: sendWhatsAppTemplate(input: { contactId: $contactId, templateName: "order_update", languageCode: "en", bodyParameters: ["B", "#1"] }) { __typename }
      byNumber: sendWhatsAppTemplate(input: { phoneNumber: "+${A_CUSTOMER}", templateName: "order_update", languageCode: "en", bodyParameters: ["B", "#1"] }) { __typename } }`,
    variables: () => ({ contactId: a.contactId }),
    expectRefused({ data }) {
      expect([data.byContact.__typename, data.byNumber.__typename]).toEqual(Array(2).fill("WhatsAppNotConfiguredError"));
      expect(whatsapp.simulator.sentMessages()).toHaveLength(sentBefore.count);
    },
  },
  sendWhatsAppMedia: {
    operation: `mutation($contactId: ID!, $mediaId: String!) {
      byContact: sendWhatsAppMedia(input: { contactId: $contactId, mediaId: $mediaId, caption: "from B" }) { __typename }
      byNumber: sendWhatsAppMedia(input: { phoneNumber: "+${A_CUSTOMER}", mediaId: $mediaId }) { __typename } }`,
    // A's uploaded file, aimed at A's customer: B may neither send through A's number nor use A's upload.
    variables: () => ({ contactId: a.contactId, mediaId: aMedia.mediaId }),
    expectRefused({ data }) {
      expect([data.byContact.__typename, data.byNumber.__typename]).toEqual(Array(2).fill("WhatsAppNotConfiguredError"));
      expect(whatsapp.simulator.sentMessages()).toHaveLength(sentBefore.count);
    },
  },
  connectWhatsAppNumber: {
    // A's number with A's working token (leaked, say): Meta accepts it, the product does not.
    operation: `mutation($input: ConnectWhatsAppNumberInput!) { connectWhatsAppNumber(input: $input) { __typename ... on Error { message } } }`,
    variables: () => ({ input: { phoneNumberId: TEST_PHONE_NUMBER_ID, businessAccountId: TEST_WABA_ID, accessToken: SIMULATOR_TOKEN } }),
    expectRefused: ({ data }) =>
      expect(data.connectWhatsAppNumber).toEqual({ __typename: "WhatsAppNumberTakenError", message: "This number is connected to another workspace: it must be disconnected there first" }),
  },
  disconnectWhatsAppNumber: {
    operation: `mutation($id: ID!) { disconnectWhatsAppNumber(id: $id) { __typename } }`,
    variables: () => ({ id: TEST_PHONE_NUMBER_ID }),
    expectRefused: notFound("disconnectWhatsAppNumber"),
  },
  sendWhatsAppInteractive: {
    operation: `mutation($contactId: ID!, $wamid: String!) {
      byContact: sendWhatsAppInteractive(input: { contactId: $contactId, body: "from B", buttons: [{ id: "a", title: "A" }] }) { __typename }
      byNumber: sendWhatsAppInteractive(input: { phoneNumber: "+${A_CUSTOMER}", body: "from B", locationRequest: true, replyToWamid: $wamid }) { __typename } }`,
    variables: () => ({ contactId: a.contactId, wamid: a.outboundWamid }),
    expectRefused({ data }) {
      expect([data.byContact.__typename, data.byNumber.__typename]).toEqual(Array(2).fill("WhatsAppNotConfiguredError"));
      expect(whatsapp.simulator.sentMessages()).toHaveLength(sentBefore.count);
    },
  },
  sendWhatsAppLocation: {
    operation: `mutation($contactId: ID!) {
      byContact: sendWhatsAppLocation(input: { contactId: $contactId, latitude: 19.07, longitude: 72.87 }) { __typename }
      byNumber: sendWhatsAppLocation(input: { phoneNumber: "+${A_CUSTOMER}", latitude: 19.07, longitude: 72.87 }) { __typename } }`,
    variables: () => ({ contactId: a.contactId }),
    expectRefused({ data }) {
      expect([data.byContact.__typename, data.byNumber.__typename]).toEqual(Array(2).fill("WhatsAppNotConfiguredError"));
      expect(whatsapp.simulator.sentMessages()).toHaveLength(sentBefore.count);
    },
  },
  sendWhatsAppContacts: {
    operation: `mutation($contactId: ID!) {
      byContact: sendWhatsAppContacts(input: { contactId: $contactId, contacts: [{ name: "B", phones: ["+919800000000"] }] }) { __typename }
      byNumber: sendWhatsAppContacts(input: { phoneNumber: "+${A_CUSTOMER}", contacts: [{ name: "B", phones: ["+919800000000"] }] }) { __typename } }`,
    variables: () => ({ contactId: a.contactId }),
    expectRefused({ data }) {
      expect([data.byContact.__typename, data.byNumber.__typename]).toEqual(Array(2).fill("WhatsAppNotConfiguredError"));
      expect(whatsapp.simulator.sentMessages()).toHaveLength(sentBefore.count);
    },
  },
  sendTypingIndicator: {
    operation: `mutation($id: ID!) { sendTypingIndicator(conversationId: $id) { __typename } }`,
    variables: () => ({ id: a.conversationId }),
    expectRefused: ({ data }) => expect(data.sendTypingIndicator.__typename).toBe("NotFoundError"),
  },
  syncWhatsAppTemplates: {
    operation: `mutation { syncWhatsAppTemplates { __typename } }`,
    // The configured business account is A's: B may neither read nor refresh its templates.
    expectRefused: async ({ data }) => {
      expect(data.syncWhatsAppTemplates.__typename).toBe("WhatsAppNotConfiguredError");
      expect(await db().whatsAppTemplate.count({ where: { workspaceId: b.workspaceId } })).toBe(0);
    },
  },
  setContactLabels: {
    operation: `mutation($id: ID!, $labelId: ID!) { setContactLabels(contactId: $id, labelIds: [$labelId]) { __typename } }`,
    variables: () => ({ id: a.contactId, labelId: aWorkflow.labelId }),
    expectRefused: ({ data }) => expect(data.setContactLabels.__typename).toBe("NotFoundError"),
  },
  setContactMarketingConsent: {
    operation: `mutation($id: ID!) { setContactMarketingConsent(contactId: $id, state: OPTED_OUT, source: "Hijacked") { __typename } }`,
    variables: () => ({ id: a.contactId }),
    expectRefused: ({ data }) => expect(data.setContactMarketingConsent.__typename).toBe("NotFoundError"),
  },
  updateContact: {
    operation: `mutation($id: ID!) { updateContact(id: $id, input: { name: "Hijacked" }) { __typename } }`,
    variables: () => ({ id: a.contactId }),
    expectRefused: ({ data }) => expect(data.updateContact.__typename).toBe("NotFoundError"),
  },
};

const fieldNames = (type: { getFields(): Record<string, unknown> } | null | undefined) => Object.keys(type?.getFields() ?? {}).sort();
const variablesOf = (fieldCase: FieldCase) => fieldCase.variables?.() ?? {};

describe("the cross-workspace matrix covers the whole API", () => {
  it("has a case for every query, mutation and subscription field of the schema", () => {
    expect(Object.keys(QUERY_CASES).sort()).toEqual(fieldNames(schema.getQueryType()));
    expect(Object.keys(MUTATION_CASES).sort()).toEqual(fieldNames(schema.getMutationType()));
    expect(Object.keys(SUBSCRIPTION_CASES).sort()).toEqual(fieldNames(schema.getSubscriptionType()));
  });

  it("has a case for every REST route the server answers", () => {
    // A route that extends another's path prints as its child (`/api/whatsapp/send` then
    // `└── -interactive`): each line's path continues its parent's, one level per 4 characters.
    const parents: string[] = [];
    const routes = server.app.http
      .printRoutes({ commonPrefix: false })
      .split("\n")
      .flatMap((line) => {
        const match = /^(.*?)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line);
        if (!match) return [];
        const depth = match[1]!.length / 4;
        const path = (parents[depth - 1] ?? "") + match[2]!;
        parents[depth] = path;
        return match[3] ? match[3].split(", ").filter((method) => method !== "HEAD" && method !== "OPTIONS").map((method) => `${method} ${path}`) : [];
      })
      // The built client's files (its web app manifest and icons too, and their precompressed .br
      // and .gz copies) and GraphiQL's (printed under /graphql's branch): the same for everyone.
      .filter((route) => !/^GET \/(assets\/|icons\/|((index|inbox)\.html|favicon\.svg|manifest\.webmanifest)(\.br|\.gz)?$|(graphql\/)?graphiql\/)/.test(route));
    expect([...new Set(routes)].sort()).toEqual(Object.keys(REST_CASES).sort());
  });
});

describe("GraphQL across workspaces", () => {
  it.each(Object.entries(QUERY_CASES))("Query.%s shows workspace B nothing of workspace A", async (_field, fieldCase) => {
    const before = await workspaceA();
    const answer = await gql(fieldCase.operation, variablesOf(fieldCase));
    expect(answer.errors).toBeUndefined();
    await fieldCase.expectRefused(answer);
    expect(answer.text).not.toContain("A's secret order");
    expect(await workspaceA()).toBe(before);
  });

  it.each(Object.entries(MUTATION_CASES))("Mutation.%s lets workspace B change nothing of workspace A", async (_field, fieldCase) => {
    sentBefore.count = whatsapp.simulator.sentMessages().length;
    const before = await workspaceA();
    const answer = await gql(fieldCase.operation, variablesOf(fieldCase));
    expect(answer.errors).toBeUndefined();
    await fieldCase.expectRefused(answer);
    expect(answer.text).not.toContain("A's secret order");
    expect(await workspaceA()).toBe(before);
  });

  const EVERY_FIELD = [...Object.entries(QUERY_CASES), ...Object.entries(MUTATION_CASES)];
  it.each(EVERY_FIELD)("%s refuses anonymous callers, expired and revoked tokens, a forged X-User-Id and a cookie without its CSRF token", async (_field, fieldCase) => {
    const before = await workspaceA();
    const attempt = (headers: Record<string, string>) => gql(fieldCase.operation, variablesOf(fieldCase), headers);
    expect((await attempt({})).status).toBe(401);
    expect((await attempt({ authorization: `Bearer ${b.expiredToken}` })).status).toBe(401);
    expect((await attempt({ authorization: `Bearer ${b.revokedToken}` })).status).toBe(401);
    expect((await attempt({ authorization: `Bearer ${b.token}`, "x-user-id": a.userId })).status).toBe(403);
    expect((await attempt({ "x-user-id": a.userId })).status).toBe(401);
    // A's own browser session, replayed by a page that does not know its CSRF token.
    expect((await attempt({ cookie: a.session.cookie })).status).toBe(403);
    expect((await attempt({ cookie: a.session.cookie, "x-csrf-token": "x".repeat(43) })).status).toBe(403);
    expect(await workspaceA()).toBe(before);
  });

  it("runs no mutation sent with GET, where a cookie needs no CSRF token", async () => {
    const before = await workspaceA();
    const query = encodeURIComponent(`mutation { deleteContact(id: "${a.contactId}") { __typename } }`);
    const answer = await rest("GET", `/graphql?query=${query}`, undefined, { cookie: a.session.cookie, accept: "application/json" });
    expect(answer.status).toBe(405);
    expect(await workspaceA()).toBe(before);
  });
});

/** A subscriber of workspace B: every event it receives is collected. */
const sockets: Client[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.dispose()));
});
function subscribe(token: string, query: string, variables: Record<string, unknown> = {}) {
  const events: unknown[] = [];
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  const client = createClient({
    url: `${server.url.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {},
    on: { connected: () => connected() },
  });
  sockets.push(client);
  client.subscribe({ query, variables }, { next: (event) => events.push(event), error: (error) => events.push({ error }), complete: () => {} });
  // graphql-ws acknowledges the connection, not the subscription: wait until the server listens for all of this test's.
  const listening = () => eventually(async () => server.app.liveSubscriptions() === sockets.length, `${sockets.length} subscriptions listening`);
  return { events, ready: ready.then(listening) };
}

interface SubscriptionCase {
  query: string;
  /** Something happens in workspace A that A's own subscriber hears. */
  happen(): Promise<void>;
}

const SUBSCRIPTION_CASES: Record<string, SubscriptionCase> = {
  campaignUpdated: {
    query: `subscription($id: ID) { campaignUpdated(id: $id) { id name status } }`,
    happen: async () => void (await gql(`mutation($id: ID!) { cancelCampaign(id: $id) { __typename } }`, { id: aWorkflow.campaignId }, { authorization: `Bearer ${ADMIN_API_TOKEN}` })),
  },
  conversationNotesChanged: {
    query: `subscription($id: ID) { conversationNotesChanged(conversationId: $id) { id notes { body } } }`,
    happen: async () =>
      void (await gql(`mutation($c: ID!) { addConversationNote(conversationId: $c, body: "A's secret order, noted") { __typename } }`, { c: a.conversationId }, { authorization: `Bearer ${ADMIN_API_TOKEN}` })),
  },
  conversationUpdated: {
    query: `subscription { conversationUpdated { id } }`,
    happen: async () => void (await whatsapp.simulator.sendInbound({ from: A_CUSTOMER, type: "text", text: "A's secret order, again" })),
  },
  historyImportUpdated: {
    query: `subscription { historyImportUpdated(phoneNumberId: "${TEST_PHONE_NUMBER_ID}") { messages threads } }`,
    happen: async () =>
      void (await deliverWebhook(
        server,
        historyChunk({ phase: 0, chunkOrder: 1, progress: 10, threads: [{ id: A_CUSTOMER, messages: [historyMessage("customer", A_CUSTOMER, wamid(), Math.floor(Date.now() / 1000) - 3600, { type: "text", text: { body: "A's secret old order" } })] }] }),
      )),
  },
  messageAdded: {
    query: `subscription($id: ID) { messageAdded(conversationId: $id) { id text } }`,
    happen: async () => void (await whatsapp.simulator.sendInbound({ from: A_CUSTOMER, type: "text", text: "A's secret order, once more" })),
  },
  messageUpdated: {
    query: `subscription($id: ID) { messageUpdated(conversationId: $id) { id text media { state url } } }`,
    // The photo is downloaded after it is stored: messageUpdated tells A's open chat.
    happen: async () => void (await whatsapp.simulator.sendInbound({ from: A_CUSTOMER, type: "image", image: { caption: "A's secret order photo, again" } })),
  },
  messageStatusChanged: {
    query: `subscription($id: ID) { messageStatusChanged(conversationId: $id) { id status } }`,
    async happen() {
      await fetch(`${server.url}/api/whatsapp/send`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_API_TOKEN}` },
        body: JSON.stringify({ contactId: a.contactId, message: "A's second reply" }),
      });
    },
  },
};

describe("subscriptions across workspaces", () => {
  it.each(Object.entries(SUBSCRIPTION_CASES))("Subscription.%s delivers workspace B nothing of workspace A, even given A's conversation id", async (_field, subscriptionCase) => {
    const insider = subscribe(ADMIN_API_TOKEN, subscriptionCase.query);
    const outsiders = [subscribe(b.token, subscriptionCase.query), subscribe(b.token, subscriptionCase.query, { id: a.conversationId })];
    await Promise.all([insider.ready, ...outsiders.map((outsider) => outsider.ready)]);
    await subscriptionCase.happen();
    await eventually(async () => insider.events.length > 0, "workspace A's own subscriber to hear it");
    // That B hears nothing can only be shown by waiting: A's subscriber heard the same event already.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const outsider of outsiders) expect(outsider.events).toEqual([]);
  });
});

const signed = (payload: unknown, secret = TEST_APP_SECRET) => {
  const body = JSON.stringify(payload);
  return { body, signature: signPayload(body, secret) };
};

/** Every REST route: what workspace B (or a stranger) gets when aiming at workspace A. */
const REST_CASES: Record<string, () => Promise<void>> = {
  "GET /healthz": async () => expect((await rest("GET", "/healthz", undefined, {})).body).toEqual({ status: "ok" }),
  "GET /readyz": async () => expect((await rest("GET", "/readyz", undefined, {})).body).toEqual({ status: "ready" }),
  "GET /api/whatsapp/webhook": async () => {
    const answer = await rest("GET", "/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1", undefined, {});
    expect(answer.status).toBe(403);
  },
  "POST /api/whatsapp/webhook": async () => {
    // Not Meta: unsigned, or signed with another app's secret.
    const forged = envelope(change({ messages: [inbound({ from: A_CUSTOMER, type: "text", text: { body: "forged" } })] }));
    expect((await rest("POST", "/api/whatsapp/webhook", forged, {})).status).toBe(401);
    expect((await rest("POST", "/api/whatsapp/webhook", forged, { "x-hub-signature-256": signed(forged, "B's app secret").signature })).status).toBe(403);
    // Meta, for B's number, naming A's message: B's number's statuses never touch A's messages.
    const crossNumber = signed(envelope(change({ phoneNumberId: B_NUMBER_ID, statuses: [status(a.outboundWamid, "failed", { errors: [{ code: 131026, title: "forged" }] })] })));
    const response = await fetch(`${server.url}/api/whatsapp/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": crossNumber.signature },
      body: crossNumber.body,
    });
    expect(response.status).toBe(200);
    expect((await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: a.outboundWamid } })).status).toBe("READ");
  },
  "GET /api/whatsapp/status": async () => expect((await rest("GET", "/api/whatsapp/status")).body).toMatchObject({ configured: false }),
  "POST /api/whatsapp/send": async () => {
    const sent = whatsapp.simulator.sentMessages().length;
    for (const target of [{ contactId: a.contactId }, { phoneNumber: `+${A_CUSTOMER}` }]) {
      const answer = await rest("POST", "/api/whatsapp/send", { ...target, message: "from B" });
      expect(answer).toMatchObject({ status: 503, body: { success: false, missing: [] } });
    }
    expect(whatsapp.simulator.sentMessages()).toHaveLength(sent);
  },
  "POST /api/whatsapp/send-interactive": async () => {
    const sent = whatsapp.simulator.sentMessages().length;
    for (const target of [{ contactId: a.contactId }, { phoneNumber: `+${A_CUSTOMER}` }]) {
      const answer = await rest("POST", "/api/whatsapp/send-interactive", { ...target, body: "from B", buttons: [{ id: "a", title: "A" }] });
      expect(answer).toMatchObject({ status: 503, body: { success: false, missing: [] } });
    }
    expect(whatsapp.simulator.sentMessages()).toHaveLength(sent);
  },
  "POST /api/auth/login": async () => {
    const session = await loginAs(server, b.email, B_PASSWORD);
    const who = await rest("GET", "/api/auth/session", undefined, { cookie: session.cookie! });
    expect(who.body.user.email).toBe(b.email);
  },
  "POST /api/auth/logout": async () => {
    const session = await loginAs(server, b.email, B_PASSWORD);
    await rest("POST", "/api/auth/logout", {}, { cookie: session.cookie!, "x-csrf-token": session.csrfToken });
    expect((await rest("GET", "/api/auth/session", undefined, { cookie: a.session.cookie })).status).toBe(200);
  },
  "GET /api/auth/session": async () => {
    const session = await loginAs(server, b.email, B_PASSWORD);
    expect((await rest("GET", "/api/auth/session", undefined, { cookie: session.cookie! })).body.user.email).toBe(b.email);
    expect((await rest("GET", "/api/auth/session", undefined, { cookie: session.cookie!, "x-user-id": a.userId })).status).toBe(403);
  },
  "GET /api/auth/invite/:token": async () => {
    // Tokens are secrets only their holder knows: a guess describes nothing.
    expect(await rest("GET", `/api/auth/invite/${"x".repeat(43)}`, undefined, {})).toMatchObject({ status: 410, body: { success: false } });
  },
  "POST /api/auth/accept-invite": async () => {
    expect((await rest("POST", "/api/auth/accept-invite", { token: "x".repeat(43), password: "a long password" }, {})).status).toBe(410);
  },
  "GET /api/auth/signup": async () => expect((await rest("GET", "/api/auth/signup", undefined, {})).body).toEqual({ success: true, allowed: false }),
  "POST /api/auth/signup": async () => {
    const answer = await rest("POST", "/api/auth/signup", { workspaceName: "C", name: "C", email: "c@example.com", password: "a long password" }, {});
    expect(answer.status).toBe(404);
  },
  "GET /api/reports/daily.csv": async () => {
    const answer = await rest("GET", "/api/reports/daily.csv");
    const rows = answer.text.trim().split("\r\n").slice(1).map((row) => row.split(","));
    expect(rows.length).toBe(30);
    // Messages in and out over the last 30 days: B's own only.
    const counted = rows.reduce((sum, row) => sum + Number(row[1]) + Number(row[2]), 0);
    expect(counted).toBe(await db().whatsAppMessage.count({ where: { workspaceId: b.workspaceId } }));
    expect((await rest("GET", "/api/reports/daily.csv", undefined, {})).status).toBe(401);
  },
  "GET /api/campaigns/:id/recipients.csv": async () => {
    // A's campaign: as if it did not exist for B (not an empty CSV), and nothing for a stranger.
    const foreign = await rest("GET", `/api/campaigns/${aWorkflow.campaignId}/recipients.csv`);
    expect(foreign).toMatchObject({ status: 404, body: { success: false, error: "Campaign not found" } });
    expect((await rest("GET", `/api/campaigns/${aWorkflow.campaignId}/recipients.csv`, undefined, {})).status).toBe(401);
    expect((await rest("GET", `/api/campaigns/${aWorkflow.campaignId}/recipients.csv`, undefined, { authorization: `Bearer ${ADMIN_API_TOKEN}` })).status).toBe(200);
  },
  "GET /api/media/:messageId": async () => {
    // A's photo: as if it did not exist for B, and nothing for a stranger.
    const foreign = await rest("GET", `/api/media/${aMedia.messageId}`);
    expect(foreign).toMatchObject({ status: 404, body: { success: false, error: "Media not found" } });
    expect((await rest("GET", `/api/media/${aMedia.messageId}`, undefined, {})).status).toBe(401);
    expect((await rest("GET", `/api/media/${aMedia.messageId}`, undefined, { authorization: `Bearer ${ADMIN_API_TOKEN}` })).status).toBe(200);
  },
  "POST /api/media/uploads": async () => {
    // B does not own the configured number: it cannot upload through it; nothing reaches Meta.
    const uploads = () => whatsapp.simulator.requests().filter((request) => request.path.endsWith("/media")).length;
    const before = uploads();
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/media/uploads`, { method: "POST", headers: { "content-type": "image/png", ...headers }, body: Buffer.from(PNG_1PX, "base64") });
    expect((await post({ authorization: `Bearer ${b.token}` })).status).toBe(503);
    expect((await post({})).status).toBe(401);
    expect((await post({ cookie: a.session.cookie })).status).toBe(403);
    expect(uploads()).toBe(before);
  },
  "GET /graphql": async () => {
    const query = encodeURIComponent(`{ contact(id: "${a.contactId}") { id } conversation(id: "${a.conversationId}") { id } }`);
    const answer = await rest("GET", `/graphql?query=${query}`, undefined, { authorization: `Bearer ${b.token}`, accept: "application/json" });
    expect(answer.body.data).toEqual({ contact: null, conversation: null });
  },
  "POST /graphql": async () => {
    const answer = await gql(`{ contact(id: "${a.contactId}") { id } }`);
    expect(answer.data.contact).toBeNull();
  },
};

describe("REST across workspaces", () => {
  it.each(Object.keys(REST_CASES))("%s gives workspace B nothing of workspace A", async (route) => {
    const before = await workspaceA();
    await REST_CASES[route]!();
    expect(await workspaceA()).toBe(before);
  });
});

describe("conversation files across workspaces", () => {
  it("serves no conversation file over HTTP, however the path is spelled", async () => {
    const workspaceId = (await db().conversation.findUniqueOrThrow({ where: { id: a.conversationId } })).workspaceId;
    const file = `${workspaceId}/${A_CUSTOMER}.json`;
    for (const route of [
      `/conversations/${file}`,
      `/../conversations/${file}`,
      `/%2e%2e/conversations/${file}`,
      `/assets/..%2f..%2fconversations%2f${file.replace("/", "%2f")}`,
      `/api/../conversations/${file}`,
      `/${file}`,
    ]) {
      const answer = await rest("GET", route, undefined, { authorization: `Bearer ${b.token}` });
      expect(answer.text, route).not.toContain("A's secret order");
    }
  });

  it("keeps a customer who writes to both businesses in two files, each with its own workspace's messages only", async () => {
    const toB = inbound({ from: A_CUSTOMER, type: "text", text: { body: "B's own order #1" } });
    expect((await deliverWebhook(server, envelope(change({ phoneNumberId: B_NUMBER_ID, messages: [toB] })))).status).toBe(200);
    await server.app.mirror.flush();
    const aWorkspace = (await db().conversation.findUniqueOrThrow({ where: { id: a.conversationId } })).workspaceId;
    const read = async (workspaceId: string) =>
      JSON.parse(await readFile(conversationFilePath(server.app.config.CONVERSATIONS_DIR, workspaceId, A_CUSTOMER), "utf8")) as ConversationFile;
    const [fileA, fileB] = [await read(aWorkspace), await read(b.workspaceId)];
    expect(fileA.workspaceId).toBe(aWorkspace);
    expect(fileB.workspaceId).toBe(b.workspaceId);
    expect(fileB.messages.map((message) => message.text)).toEqual(["B's own order #1"]);
    expect(JSON.stringify(fileB)).not.toContain("A's");
    expect(JSON.stringify(fileA)).not.toContain("B's own order");
  });

  it("sends no read receipt through workspace A's number when workspace B reads its own conversation", async () => {
    const conversation = await db().conversation.findFirstOrThrow({ where: { workspaceId: b.workspaceId, waId: A_CUSTOMER } });
    const requests = whatsapp.simulator.requests().length;
    const answer = await gql(`mutation($id: ID!) { markConversationRead(id: $id) { __typename } }`, { id: conversation.id });
    expect(answer.data.markConversationRead.__typename).toBe("MutationMarkConversationReadSuccess");
    expect(whatsapp.simulator.requests()).toHaveLength(requests);
  });
});
