import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../../auth/auth.service.ts";
import { schema } from "../../graphql/schema.ts";
import { ADMIN_API_TOKEN, graphql, startTestServer, type TestServer } from "../support/harness.ts";

// Every field × {admin, agent} of one workspace: what only admins may do (the team, automation,
// templates sync, workspace settings, WhatsApp numbers) answers an agent ForbiddenError before anything is read
// or changed; everything else answers both alike. The list is checked against the schema: a
// new field fails here until someone decides who may use it.

type Rule = "both" | "admins";

/** The operation names bogus ids, so that allowed callers get NotFoundError and change nothing. */
interface RoleCase {
  operation: string;
  rule: Rule;
}

const NOPE = `"nope"`;
const QUERY_CASES: Record<string, RoleCase> = {
  agents: { operation: `{ agents { __typename } }`, rule: "both" },
  apiTokens: { operation: `{ apiTokens { __typename } }`, rule: "both" },
  autoReplyRules: { operation: `{ autoReplyRules { __typename } }`, rule: "both" },
  autoReplySettings: { operation: `{ autoReplySettings { __typename } }`, rule: "both" },
  campaign: { operation: `{ campaign(id: ${NOPE}) { __typename } }`, rule: "both" },
  campaigns: { operation: `{ campaigns { __typename } }`, rule: "both" },
  campaignPreview: { operation: `{ campaignPreview(id: ${NOPE}) { __typename } }`, rule: "admins" },
  contactCustomFields: { operation: `{ contactCustomFields }`, rule: "both" },
  savedFilters: { operation: `{ savedFilters { __typename } }`, rule: "both" },
  cannedResponses: { operation: `{ cannedResponses { __typename } }`, rule: "both" },
  contact: { operation: `{ contact(id: ${NOPE}) { __typename } }`, rule: "both" },
  contacts: { operation: `{ contacts { __typename } }`, rule: "both" },
  conversation: { operation: `{ conversation(id: ${NOPE}) { __typename } }`, rule: "both" },
  conversations: { operation: `{ conversations { __typename } }`, rule: "both" },
  deliveryReport: { operation: `{ deliveryReport { __typename } }`, rule: "both" },
  historyImport: { operation: `{ historyImport(phoneNumberId: "1") { __typename } }`, rule: "both" },
  historyImports: { operation: `{ historyImports { __typename } }`, rule: "both" },
  invites: { operation: `{ invites { __typename } }`, rule: "admins" },
  labels: { operation: `{ labels { __typename } }`, rule: "both" },
  messages: { operation: `{ messages(conversationId: ${NOPE}, last: 1) { __typename } }`, rule: "both" },
  viewer: { operation: `{ viewer { __typename } }`, rule: "both" },
  // Everyone: the inbox shows which number a conversation is on. Never a token.
  whatsappNumbers: { operation: `{ whatsappNumbers { __typename } }`, rule: "both" },
  whatsappStatus: { operation: `{ whatsappStatus { __typename } }`, rule: "both" },
  whatsappTemplates: { operation: `{ whatsappTemplates(statuses: []) { __typename } }`, rule: "both" },
  whatsappWindow: { operation: `{ whatsappWindow(contactId: ${NOPE}) { __typename } }`, rule: "both" },
};

const MUTATION_CASES: Record<string, RoleCase> = {
  addConversationLabel: { operation: `addConversationLabel(conversationId: ${NOPE}, labelId: ${NOPE})`, rule: "both" },
  addConversationNote: { operation: `addConversationNote(conversationId: ${NOPE}, body: "x")`, rule: "both" },
  assignConversation: { operation: `assignConversation(conversationId: ${NOPE})`, rule: "both" },
  blockCustomer: { operation: `blockCustomer(conversationId: ${NOPE})`, rule: "both" },
  cancelCampaign: { operation: `cancelCampaign(id: ${NOPE})`, rule: "admins" },
  changePassword: { operation: `changePassword(currentPassword: "not it", newPassword: "a new password")`, rule: "both" },
  connectWhatsAppNumber: { operation: `connectWhatsAppNumber(input: { phoneNumberId: "not digits", businessAccountId: "", accessToken: "" })`, rule: "admins" },
  createApiToken: { operation: `createApiToken(name: "script")`, rule: "both" },
  createAutoReplyRule: { operation: `createAutoReplyRule(input: { kind: GREETING, reply: "Hello" })`, rule: "admins" },
  createCampaign: { operation: `createCampaign(input: { name: "", templateName: "", languageCode: "", audience: {} })`, rule: "admins" },
  createCannedResponse: { operation: `createCannedResponse(input: { shortcut: "", body: "" })`, rule: "both" },
  createContact: { operation: `createContact(input: { name: "" })`, rule: "both" },
  createSavedFilter: { operation: `createSavedFilter(input: { name: "" })`, rule: "admins" },
  importContacts: { operation: `importContacts(input: { csv: "" })`, rule: "admins" },
  deleteSavedFilter: { operation: `deleteSavedFilter(id: ${NOPE})`, rule: "admins" },
  createLabel: { operation: `createLabel(input: { name: "", color: "" })`, rule: "both" },
  createPasswordResetLink: { operation: `createPasswordResetLink(userId: ${NOPE})`, rule: "admins" },
  deactivateAgent: { operation: `deactivateAgent(id: ${NOPE})`, rule: "admins" },
  deleteAutoReplyRule: { operation: `deleteAutoReplyRule(id: ${NOPE})`, rule: "admins" },
  deleteCannedResponse: { operation: `deleteCannedResponse(id: ${NOPE})`, rule: "both" },
  deleteContact: { operation: `deleteContact(id: ${NOPE})`, rule: "both" },
  deleteConversationNote: { operation: `deleteConversationNote(id: ${NOPE})`, rule: "both" },
  deleteLabel: { operation: `deleteLabel(id: ${NOPE})`, rule: "both" },
  disconnectWhatsAppNumber: { operation: `disconnectWhatsAppNumber(id: ${NOPE})`, rule: "admins" },
  inviteAgent: { operation: `inviteAgent(input: { email: "not an email", name: "x", role: ADMIN })`, rule: "admins" },
  markConversationRead: { operation: `markConversationRead(id: ${NOPE})`, rule: "both" },
  pauseCampaign: { operation: `pauseCampaign(id: ${NOPE})`, rule: "admins" },
  reactToMessage: { operation: `reactToMessage(messageId: ${NOPE}, emoji: "👍")`, rule: "both" },
  reactivateAgent: { operation: `reactivateAgent(id: ${NOPE})`, rule: "admins" },
  removeConversationLabel: { operation: `removeConversationLabel(conversationId: ${NOPE}, labelId: ${NOPE})`, rule: "both" },
  resumeCampaign: { operation: `resumeCampaign(id: ${NOPE})`, rule: "admins" },
  revokeApiToken: { operation: `revokeApiToken(id: ${NOPE})`, rule: "both" },
  revokeInvite: { operation: `revokeInvite(id: ${NOPE})`, rule: "admins" },
  sendTypingIndicator: { operation: `sendTypingIndicator(conversationId: ${NOPE})`, rule: "both" },
  sendWhatsApp: { operation: `sendWhatsApp(input: { contactId: ${NOPE}, message: "x" })`, rule: "both" },
  sendWhatsAppContacts: { operation: `sendWhatsAppContacts(input: { contactId: ${NOPE}, contacts: [{ name: "x", phones: ["+919800000000"] }] })`, rule: "both" },
  sendWhatsAppInteractive: { operation: `sendWhatsAppInteractive(input: { contactId: ${NOPE}, body: "x", buttons: [{ id: "a", title: "A" }] })`, rule: "both" },
  sendWhatsAppLocation: { operation: `sendWhatsAppLocation(input: { contactId: ${NOPE}, latitude: 1, longitude: 1 })`, rule: "both" },
  sendWhatsAppMedia: { operation: `sendWhatsAppMedia(input: { contactId: ${NOPE}, mediaId: ${NOPE} })`, rule: "both" },
  sendWhatsAppTemplate: { operation: `sendWhatsAppTemplate(input: { contactId: ${NOPE}, templateName: "x", languageCode: "en" })`, rule: "both" },
  setAgentRole: { operation: `setAgentRole(id: ${NOPE}, role: ADMIN)`, rule: "admins" },
  setContactLabels: { operation: `setContactLabels(contactId: ${NOPE}, labelIds: [])`, rule: "both" },
  setContactMarketingConsent: { operation: `setContactMarketingConsent(contactId: ${NOPE}, state: OPTED_OUT)`, rule: "both" },
  setConversationStatus: { operation: `setConversationStatus(conversationId: ${NOPE}, status: RESOLVED)`, rule: "both" },
  startCampaign: { operation: `startCampaign(id: ${NOPE})`, rule: "admins" },
  syncWhatsAppTemplates: { operation: `syncWhatsAppTemplates`, rule: "admins" },
  unblockCustomer: { operation: `unblockCustomer(conversationId: ${NOPE})`, rule: "both" },
  updateAutoReplyRule: { operation: `updateAutoReplyRule(id: ${NOPE}, input: {})`, rule: "admins" },
  updateAutoReplySettings: { operation: `updateAutoReplySettings(input: {})`, rule: "admins" },
  updateCannedResponse: { operation: `updateCannedResponse(id: ${NOPE}, input: { shortcut: "x", body: "x" })`, rule: "both" },
  updateContact: { operation: `updateContact(id: ${NOPE}, input: { name: "x" })`, rule: "both" },
  updateLabel: { operation: `updateLabel(id: ${NOPE}, input: { name: "x", color: "#000000" })`, rule: "both" },
  updateWorkspaceSettings: { operation: `updateWorkspaceSettings(input: {})`, rule: "admins" },
};

/** Live events are read-only: every agent of the workspace hears them. */
const SUBSCRIPTIONS_FOR_BOTH = ["campaignUpdated", "conversationNotesChanged", "conversationUpdated", "historyImportUpdated", "messageAdded", "messageStatusChanged", "messageUpdated"];

let server: TestServer;
const tokens = { admin: ADMIN_API_TOKEN, agent: "" };

beforeAll(async () => {
  server = await startTestServer();
  const admin = await server.app.db.user.findFirstOrThrow({ where: { role: "ADMIN" } });
  const agent = await server.app.db.user.create({
    data: { workspaceId: admin.workspaceId, email: "agent@example.com", name: "Agent", role: "AGENT", passwordHash: "not used: token only" },
  });
  tokens.agent = (await createApiToken(server.app.db, { userId: agent.id, workspaceId: agent.workspaceId, role: agent.role, csrfToken: null }, "agent")).token;
});
afterAll(() => server.stop());

const fieldNames = (type: { getFields(): Record<string, unknown> } | null | undefined) => Object.keys(type?.getFields() ?? {}).sort();

/** The field's answer's type names: ForbiddenError when the role was refused. */
async function typenames(field: string, operation: string, as: "admin" | "agent") {
  const answer = await graphql(server, operation, {}, { token: tokens[as] });
  expect(answer.errors, `${field} as ${as}`).toBeUndefined();
  const value: unknown = answer.data[field];
  // A nullable field (contact, conversation) answers null for an id that matches nothing.
  return (Array.isArray(value) ? value : [value]).flatMap((item) => (item === null ? ["null"] : [(item as { __typename: string }).__typename]));
}

describe("the role matrix covers the whole API", () => {
  it("has a case for every query, mutation and subscription field of the schema", () => {
    expect(Object.keys(QUERY_CASES).sort()).toEqual(fieldNames(schema.getQueryType()));
    expect(Object.keys(MUTATION_CASES).sort()).toEqual(fieldNames(schema.getMutationType()));
    expect([...SUBSCRIPTIONS_FOR_BOTH].sort()).toEqual(fieldNames(schema.getSubscriptionType()));
  });
});

const EVERY_FIELD = [
  ...Object.entries(QUERY_CASES).map(([field, { operation, rule }]) => ({ field, operation, rule })),
  ...Object.entries(MUTATION_CASES).map(([field, { operation, rule }]) => ({ field, operation: `mutation { ${operation} { __typename } }`, rule })),
];

describe("roles", () => {
  it.each(EVERY_FIELD)("$field: admins always, agents when $rule", async ({ field, operation, rule }) => {
    expect(await typenames(field, operation, "admin")).not.toContain("ForbiddenError");
    const asAgent = await typenames(field, operation, "agent");
    if (rule === "admins") expect(asAgent).toEqual(["ForbiddenError"]);
    else expect(asAgent).not.toContain("ForbiddenError");
  });
});
