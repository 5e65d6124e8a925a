import { createClient, type Client } from "graphql-ws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createApiToken } from "../auth/auth.service.ts";
import { hashPassword } from "../auth/password.ts";
import { eventually } from "../tests/support/eventually.ts";
import { createOtherWorkspace, graphql, startTestServer, type TestServer } from "../tests/support/harness.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../tests/support/webhook-client.ts";
import { change, envelope, inbound } from "../tests/support/webhook-fixtures.ts";

let server: TestServer;
/** Two agents of the admin's workspace, and a stranger from another business. */
const agents = { admin: { id: "" }, ravi: { id: "", token: "" } };
let stranger: Awaited<ReturnType<typeof createOtherWorkspace>>;
const sockets: Client[] = [];

beforeAll(async () => {
  server = await startTestServer(WEBHOOK_ENV);
  const { db } = server.app;
  const admin = await db.user.findFirstOrThrow({ where: { role: "ADMIN" } });
  agents.admin.id = admin.id;
  const ravi = await db.user.create({
    data: { workspaceId: admin.workspaceId, email: "ravi@example.com", name: "Ravi Agent", role: "AGENT", passwordHash: await hashPassword("ravi password 123") },
  });
  agents.ravi = { id: ravi.id, token: (await createApiToken(db, { userId: ravi.id, workspaceId: ravi.workspaceId, role: "AGENT", csrfToken: null }, "ravi")).token };
  stranger = await createOtherWorkspace(server);
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.dispose()));
});
afterAll(() => server.stop());

const asRavi = () => ({ token: agents.ravi.token });
const asStranger = () => ({ token: stranger.token });

let customers = 0;
/** A customer writes; returns their conversation's id. */
async function conversationWith(text = "Hello") {
  const waId = `91970000${String(++customers).padStart(4, "0")}`;
  const message = inbound({ from: waId, type: "text", text: { body: text } });
  expect((await deliverWebhook(server, envelope(change({ messages: [message], profileName: `Customer ${customers}` })))).status).toBe(200);
  return (await server.app.db.conversation.findFirstOrThrow({ where: { waId } })).id;
}

const WORKFLOW = `id status resolvedAt assignee { id name } labels { id name color } notes { id body author { name } canDelete }`;
const ASSIGN = `mutation($c: ID!, $a: ID) { assignConversation(conversationId: $c, assigneeId: $a) {
  __typename ... on MutationAssignConversationSuccess { conversation { ${WORKFLOW} } } ... on NotFoundError { entity } } }`;
const SET_STATUS = `mutation($c: ID!, $s: ConversationStatus!) { setConversationStatus(conversationId: $c, status: $s) {
  __typename ... on MutationSetConversationStatusSuccess { conversation { ${WORKFLOW} } } } }`;
const CREATE_LABEL = `mutation($name: String!, $color: String!) { createLabel(input: { name: $name, color: $color }) {
  __typename ... on MutationCreateLabelSuccess { label { id name color } } ... on ValidationError { fieldErrors { field message } } } }`;
const ADD_LABEL = `mutation($c: ID!, $l: ID!) { addConversationLabel(conversationId: $c, labelId: $l) {
  __typename ... on MutationAddConversationLabelSuccess { conversation { ${WORKFLOW} } } ... on NotFoundError { entity } } }`;
const REMOVE_LABEL = `mutation($c: ID!, $l: ID!) { removeConversationLabel(conversationId: $c, labelId: $l) {
  __typename ... on MutationRemoveConversationLabelSuccess { conversation { ${WORKFLOW} } } ... on NotFoundError { entity } } }`;
const ADD_NOTE = `mutation($c: ID!, $body: String!) { addConversationNote(conversationId: $c, body: $body) {
  __typename ... on MutationAddConversationNoteSuccess { note { id body author { name } } } ... on ValidationError { fieldErrors { field message } } ... on NotFoundError { entity } } }`;
const DELETE_NOTE = `mutation($id: ID!) { deleteConversationNote(id: $id) { __typename ... on Error { message } } }`;
const CREATE_CANNED = `mutation($shortcut: String!, $body: String!) { createCannedResponse(input: { shortcut: $shortcut, body: $body }) {
  __typename ... on MutationCreateCannedResponseSuccess { cannedResponse { id shortcut body } } ... on ValidationError { fieldErrors { field message } } } }`;
const CONVERSATION = `query($id: ID!) { conversation(id: $id) { ${WORKFLOW} } }`;
const LIST = `query($status: ConversationStatus, $assignee: ConversationAssigneeFilter, $assigneeId: ID, $labelId: ID) {
  conversations(first: 100, status: $status, assignee: $assignee, assigneeId: $assigneeId, labelId: $labelId) { edges { node { id } } } }`;

const listed = async (filters: Record<string, unknown>, options?: { token: string }) =>
  ((await graphql(server, LIST, filters, options)).data.conversations.edges as Array<{ node: { id: string } }>).map((edge) => edge.node.id);

async function createLabel(name: string, color = "#25d366") {
  const answer = await graphql(server, CREATE_LABEL, { name, color });
  return answer.data.createLabel.label as { id: string; name: string; color: string };
}

describe("assignment", () => {
  it("assigns a conversation to an agent of the workspace, shows who, and unassigns it", async () => {
    const id = await conversationWith();
    const assigned = await graphql(server, ASSIGN, { c: id, a: agents.ravi.id });
    expect(assigned.data.assignConversation.conversation.assignee).toEqual({ id: agents.ravi.id, name: "Ravi Agent" });
    const unassigned = await graphql(server, ASSIGN, { c: id, a: null });
    expect(unassigned.data.assignConversation.conversation.assignee).toBeNull();
  });

  it("refuses another workspace's agent as assignee, and changes nothing", async () => {
    const id = await conversationWith();
    const answer = await graphql(server, ASSIGN, { c: id, a: stranger.user.id });
    expect(answer.data.assignConversation).toEqual({ __typename: "NotFoundError", entity: "Agent" });
    expect((await server.app.db.conversation.findUniqueOrThrow({ where: { id } })).assigneeId).toBeNull();
  });

  it("lists the workspace's agents for the picker, and only them", async () => {
    const answer = await graphql(server, `{ agents { id name } }`);
    expect(answer.data.agents.map((agent: { id: string }) => agent.id).sort()).toEqual([agents.admin.id, agents.ravi.id].sort());
    const theirs = await graphql(server, `{ agents { id } }`, {}, asStranger());
    expect(theirs.data.agents).toEqual([{ id: stranger.user.id }]);
  });
});

describe("status and filters", () => {
  it("resolves and reopens a conversation", async () => {
    const id = await conversationWith();
    const resolved = await graphql(server, SET_STATUS, { c: id, s: "RESOLVED" });
    expect(resolved.data.setConversationStatus.conversation).toMatchObject({ status: "RESOLVED", resolvedAt: expect.any(String) });
    const reopened = await graphql(server, SET_STATUS, { c: id, s: "OPEN" });
    expect(reopened.data.setConversationStatus.conversation).toMatchObject({ status: "OPEN", resolvedAt: null });
  });

  it("filters the list by status, by mine or unassigned, by agent and by label", async () => {
    const [mine, ravis, resolved, labelled] = [await conversationWith(), await conversationWith(), await conversationWith(), await conversationWith()];
    await graphql(server, ASSIGN, { c: mine, a: agents.admin.id });
    await graphql(server, ASSIGN, { c: ravis, a: agents.ravi.id });
    await graphql(server, SET_STATUS, { c: resolved, s: "RESOLVED" });
    const vip = await createLabel("Filter VIP");
    await graphql(server, ADD_LABEL, { c: labelled, l: vip.id });

    expect(await listed({ status: "RESOLVED" })).toEqual([resolved]);
    expect(await listed({ status: "OPEN" })).not.toContain(resolved);
    expect(await listed({ assignee: "MINE" })).toEqual([mine]);
    expect(await listed({ assignee: "MINE" }, asRavi())).toEqual([ravis]);
    const unassigned = await listed({ assignee: "UNASSIGNED" });
    expect(unassigned).toEqual(expect.arrayContaining([resolved, labelled]));
    expect(unassigned).not.toEqual(expect.arrayContaining([mine]));
    expect(await listed({ assigneeId: agents.ravi.id })).toEqual([ravis]);
    expect(await listed({ labelId: vip.id })).toEqual([labelled]);
    expect(await listed({ labelId: vip.id, status: "RESOLVED" })).toEqual([]);
  });

  it("reopens a resolved conversation when the customer writes again", async () => {
    const id = await conversationWith();
    await graphql(server, SET_STATUS, { c: id, s: "RESOLVED" });
    const { waId } = await server.app.db.conversation.findUniqueOrThrow({ where: { id } });
    await deliverWebhook(server, envelope(change({ messages: [inbound({ from: waId!, type: "text", text: { body: "One more thing" } })] })));
    expect((await graphql(server, CONVERSATION, { id })).data.conversation).toMatchObject({ status: "OPEN", resolvedAt: null });
  });
});

describe("labels", () => {
  it("refuses a label without a name or with a colour that is not #rrggbb, and creates nothing", async () => {
    const before = await server.app.db.label.count();
    const answer = await graphql(server, CREATE_LABEL, { name: "  ", color: "red;background:url(x)" });
    expect(answer.data.createLabel.fieldErrors).toEqual([
      { field: "name", message: "Give the label a name" },
      { field: "color", message: "Use a colour like #25d366" },
    ]);
    expect(await server.app.db.label.count()).toBe(before);
  });

  it("refuses a name longer than 40 characters on its field rather than cutting it, and creates nothing", async () => {
    const before = await server.app.db.label.count();
    const answer = await graphql(server, CREATE_LABEL, { name: "A".repeat(41), color: "#25d366" });
    expect(answer.data.createLabel.fieldErrors).toEqual([{ field: "name", message: "Must be at most 40 characters" }]);
    expect(await server.app.db.label.count()).toBe(before);
    const fits = await graphql(server, CREATE_LABEL, { name: "B".repeat(40), color: "#25d366" });
    expect(fits.data.createLabel.label.name).toBe("B".repeat(40));
  });

  it("refuses a second label of the same name", async () => {
    await createLabel("Refund");
    const answer = await graphql(server, CREATE_LABEL, { name: "Refund", color: "#ff0000" });
    expect(answer.data.createLabel.fieldErrors).toEqual([{ field: "name", message: "Another label already has this name" }]);
  });

  it("puts labels on a conversation and takes them off; deleting a label takes it off everywhere", async () => {
    const id = await conversationWith();
    const [urgent, gold] = [await createLabel("Urgent", "#D32F2F"), await createLabel("Gold")];
    await graphql(server, ADD_LABEL, { c: id, l: urgent.id });
    const twice = await graphql(server, ADD_LABEL, { c: id, l: urgent.id });
    expect(twice.data.addConversationLabel.conversation.labels).toEqual([{ id: urgent.id, name: "Urgent", color: "#d32f2f" }]);
    const both = await graphql(server, ADD_LABEL, { c: id, l: gold.id });
    expect(both.data.addConversationLabel.conversation.labels.map((label: { name: string }) => label.name)).toEqual(["Gold", "Urgent"]);
    const removed = await graphql(server, REMOVE_LABEL, { c: id, l: urgent.id });
    expect(removed.data.removeConversationLabel.conversation.labels.map((label: { name: string }) => label.name)).toEqual(["Gold"]);

    const deleted = await graphql(server, `mutation($id: ID!) { deleteLabel(id: $id) { __typename } }`, { id: gold.id });
    expect(deleted.data.deleteLabel.__typename).toBe("MutationDeleteLabelSuccess");
    expect((await graphql(server, CONVERSATION, { id })).data.conversation.labels).toEqual([]);
  });

  it("answers NotFound for another workspace's label or conversation, and changes nothing", async () => {
    const id = await conversationWith();
    const ours = await createLabel("Ours");
    const theirs = (await graphql(server, CREATE_LABEL, { name: "Theirs", color: "#000000" }, asStranger())).data.createLabel.label;
    expect((await graphql(server, ADD_LABEL, { c: id, l: theirs.id })).data.addConversationLabel).toEqual({ __typename: "NotFoundError", entity: "Label" });
    expect((await graphql(server, ADD_LABEL, { c: id, l: ours.id }, asStranger())).data.addConversationLabel).toEqual({ __typename: "NotFoundError", entity: "Conversation" });
    const rename = await graphql(server, `mutation($id: ID!) { updateLabel(id: $id, input: { name: "x", color: "#000000" }) { __typename } }`, { id: ours.id }, asStranger());
    expect(rename.data.updateLabel.__typename).toBe("NotFoundError");
    expect(await server.app.db.conversationLabel.count({ where: { conversationId: id } })).toBe(0);
    expect((await server.app.db.label.findUniqueOrThrow({ where: { id: ours.id } })).name).toBe("Ours");
    expect((await graphql(server, `{ labels { name } }`, {}, asStranger())).data.labels).toEqual([{ name: "Theirs" }]);
  });
});

describe("internal notes", () => {
  it("keeps a note for the agents, with its author, and sends the customer nothing", async () => {
    const id = await conversationWith();
    const messagesBefore = await server.app.db.whatsAppMessage.count({ where: { conversationId: id } });
    const answer = await graphql(server, ADD_NOTE, { c: id, body: "  Customer is a wholesaler, offer 10%  " });
    expect(answer.data.addConversationNote.note).toMatchObject({ body: "Customer is a wholesaler, offer 10%", author: { name: expect.any(String) } });
    const { conversation } = (await graphql(server, CONVERSATION, { id })).data;
    expect(conversation.notes).toMatchObject([{ body: "Customer is a wholesaler, offer 10%", canDelete: true }]);
    expect(await server.app.db.whatsAppMessage.count({ where: { conversationId: id } })).toBe(messagesBefore);
    expect((await graphql(server, `query($id: ID!) { conversation(id: $id) { lastMessagePreview } }`, { id })).data.conversation.lastMessagePreview).toBe("Hello");
  });

  it("refuses an empty note", async () => {
    const id = await conversationWith();
    const answer = await graphql(server, ADD_NOTE, { c: id, body: " \n " });
    expect(answer.data.addConversationNote.fieldErrors).toEqual([{ field: "body", message: "Write something in the note" }]);
    expect(await server.app.db.conversationNote.count({ where: { conversationId: id } })).toBe(0);
  });

  it("lets only the author or an admin delete a note", async () => {
    const id = await conversationWith();
    const adminsNote = (await graphql(server, ADD_NOTE, { c: id, body: "admin's" })).data.addConversationNote.note.id;
    const ravisNote = (await graphql(server, ADD_NOTE, { c: id, body: "ravi's" }, asRavi())).data.addConversationNote.note.id;
    const refused = await graphql(server, DELETE_NOTE, { id: adminsNote }, asRavi());
    expect(refused.data.deleteConversationNote).toEqual({ __typename: "ForbiddenError", message: "Only the note's author or an admin can delete it" });
    expect((await graphql(server, CONVERSATION, { id }, asRavi())).data.conversation.notes.map((note: { canDelete: boolean }) => note.canDelete)).toEqual([false, true]);
    expect((await graphql(server, DELETE_NOTE, { id: ravisNote }, asRavi())).data.deleteConversationNote.__typename).toBe("MutationDeleteConversationNoteSuccess");
    expect((await graphql(server, DELETE_NOTE, { id: adminsNote })).data.deleteConversationNote.__typename).toBe("MutationDeleteConversationNoteSuccess");
    expect(await server.app.db.conversationNote.count({ where: { conversationId: id } })).toBe(0);
  });

  it("answers NotFound to another workspace, which can neither add nor delete notes here", async () => {
    const id = await conversationWith();
    const note = (await graphql(server, ADD_NOTE, { c: id, body: "private" })).data.addConversationNote.note.id;
    expect((await graphql(server, ADD_NOTE, { c: id, body: "intruder" }, asStranger())).data.addConversationNote).toEqual({ __typename: "NotFoundError", entity: "Conversation" });
    expect((await graphql(server, DELETE_NOTE, { id: note }, asStranger())).data.deleteConversationNote.__typename).toBe("NotFoundError");
    expect(await server.app.db.conversationNote.count({ where: { conversationId: id } })).toBe(1);
  });
});

describe("canned responses", () => {
  it("stores a shortcut as one lower-case word without its slash, and refuses spaces, empty bodies and duplicates", async () => {
    const created = await graphql(server, CREATE_CANNED, { shortcut: " /Thanks ", body: "Thank you for shopping with us!" });
    expect(created.data.createCannedResponse.cannedResponse).toMatchObject({ shortcut: "thanks", body: "Thank you for shopping with us!" });
    const refused = await graphql(server, CREATE_CANNED, { shortcut: "two words", body: " " });
    expect(refused.data.createCannedResponse.fieldErrors).toEqual([
      { field: "shortcut", message: "Use letters, digits, - and _ only (no spaces)" },
      { field: "body", message: "Write the reply" },
    ]);
    const duplicate = await graphql(server, CREATE_CANNED, { shortcut: "THANKS", body: "again" });
    expect(duplicate.data.createCannedResponse.fieldErrors).toEqual([{ field: "shortcut", message: "Another canned response already uses /thanks" }]);
    expect((await graphql(server, `{ cannedResponses { shortcut } }`)).data.cannedResponses).toEqual([{ shortcut: "thanks" }]);
  });

  it("updates and deletes, and another workspace can do neither", async () => {
    const { id } = (await graphql(server, CREATE_CANNED, { shortcut: "hours", body: "We open at 9" })).data.createCannedResponse.cannedResponse;
    const UPDATE = `mutation($id: ID!, $body: String!) { updateCannedResponse(id: $id, input: { shortcut: "hours", body: $body }) {
      __typename ... on MutationUpdateCannedResponseSuccess { cannedResponse { body } } } }`;
    const DELETE = `mutation($id: ID!) { deleteCannedResponse(id: $id) { __typename } }`;
    expect((await graphql(server, UPDATE, { id, body: "hacked" }, asStranger())).data.updateCannedResponse.__typename).toBe("NotFoundError");
    expect((await graphql(server, DELETE, { id }, asStranger())).data.deleteCannedResponse.__typename).toBe("NotFoundError");
    expect((await graphql(server, `{ cannedResponses { id } }`, {}, asStranger())).data.cannedResponses).toEqual([]);
    expect((await graphql(server, UPDATE, { id, body: "We open at 10" })).data.updateCannedResponse.cannedResponse.body).toBe("We open at 10");
    expect((await graphql(server, DELETE, { id })).data.deleteCannedResponse.__typename).toBe("MutationDeleteCannedResponseSuccess");
    expect(await server.app.db.cannedResponse.count({ where: { id } })).toBe(0);
  });

  const SAVE_BUTTONS = `mutation($shortcut: String!, $body: String!, $buttons: [InteractiveButtonInput!]) {
    createCannedResponse(input: { shortcut: $shortcut, body: $body, buttons: $buttons }) {
      __typename ... on MutationCreateCannedResponseSuccess { cannedResponse { id body buttons { id title } } } ... on ValidationError { fieldErrors { field message } } } }`;
  const UPDATE_BUTTONS = `mutation($id: ID!, $body: String!, $buttons: [InteractiveButtonInput!]) {
    updateCannedResponse(id: $id, input: { shortcut: "visit", body: $body, buttons: $buttons }) {
      __typename ... on MutationUpdateCannedResponseSuccess { cannedResponse { body buttons { id title } } } ... on ValidationError { fieldErrors { field message } } } }`;

  it("holds reply buttons, round trip: saved, listed, kept when an update leaves them out, removed with []", async () => {
    const buttons = [{ id: "confirm", title: " Confirm " }, { id: "reschedule", title: "Reschedule" }];
    const created = (await graphql(server, SAVE_BUTTONS, { shortcut: "visit", body: "Your visit is tomorrow at 10", buttons })).data.createCannedResponse;
    expect(created.cannedResponse.buttons).toEqual([{ id: "confirm", title: "Confirm" }, { id: "reschedule", title: "Reschedule" }]);
    const listed = (await graphql(server, `{ cannedResponses { shortcut buttons { id title } } }`)).data.cannedResponses;
    expect(listed.find((canned: { shortcut: string }) => canned.shortcut === "visit").buttons).toHaveLength(2);
    const { id } = created.cannedResponse;
    const kept = (await graphql(server, UPDATE_BUTTONS, { id, body: "Your visit is tomorrow at 11" })).data.updateCannedResponse;
    expect(kept.cannedResponse).toEqual({ body: "Your visit is tomorrow at 11", buttons: [{ id: "confirm", title: "Confirm" }, { id: "reschedule", title: "Reschedule" }] });
    const plain = (await graphql(server, UPDATE_BUTTONS, { id, body: "Your visit is tomorrow", buttons: [] })).data.updateCannedResponse;
    expect(plain.cannedResponse.buttons).toEqual([]);
    expect((await server.app.db.cannedResponse.findUniqueOrThrow({ where: { id } })).buttons).toBeNull();
    await server.app.db.cannedResponse.delete({ where: { id } });
  });

  it("refuses buttons Meta would refuse, by field, with the checks of sending, and saves nothing", async () => {
    const tooMany = [1, 2, 3, 4].map((n) => ({ id: `b${n}`, title: `Option ${n}` }));
    const refusals = [
      { buttons: tooMany, body: "Pick one", field: "buttons", message: "Give 1 to 3 buttons (there are 4)" },
      { buttons: [{ id: "a", title: "Yes" }, { id: "b", title: "A title far too long for it" }], body: "Pick one", field: "buttons.1.title", message: "Button 2's title must be at most 20 characters (it has 27)" },
      { buttons: [{ id: "same", title: "Yes" }, { id: "same", title: "No" }], body: "Pick one", field: "buttons.1.id", message: "Button 2's id repeats another button's: ids must be unique" },
      { buttons: [{ id: "a", title: "Yes" }], body: "x".repeat(1025), field: "body", message: "The message text must be at most 1024 characters (it has 1025)" },
    ];
    for (const { buttons, body, field, message } of refusals) {
      const refused = (await graphql(server, SAVE_BUTTONS, { shortcut: "pick", body, buttons })).data.createCannedResponse;
      expect(refused.__typename).toBe("ValidationError");
      expect(refused.fieldErrors).toContainEqual({ field, message });
    }
    expect(await server.app.db.cannedResponse.count({ where: { shortcut: "pick" } })).toBe(0);
    // Every refused field at once: the shortcut's and the buttons'.
    const both = (await graphql(server, SAVE_BUTTONS, { shortcut: "two words", body: "Pick one", buttons: [{ id: "a", title: "" }] })).data.createCannedResponse;
    expect(both.fieldErrors).toEqual([
      { field: "shortcut", message: "Use letters, digits, - and _ only (no spaces)" },
      { field: "buttons.0.title", message: "Button 1's title is required" },
    ]);

    // An update that would make stored buttons unsendable is refused too, and changes nothing.
    const { id } = (await graphql(server, SAVE_BUTTONS, { shortcut: "visit", body: "Come by?", buttons: [{ id: "yes", title: "Yes" }] })).data.createCannedResponse.cannedResponse;
    const longer = (await graphql(server, UPDATE_BUTTONS, { id, body: "y".repeat(1025) })).data.updateCannedResponse;
    expect(longer.fieldErrors).toEqual([{ field: "body", message: "The message text must be at most 1024 characters (it has 1025)" }]);
    expect(await server.app.db.cannedResponse.findUniqueOrThrow({ where: { id } })).toMatchObject({ body: "Come by?", buttons: JSON.stringify([{ id: "yes", title: "Yes" }]) });
    await server.app.db.cannedResponse.delete({ where: { id } });
  });
});

/** A second agent's live subscription, as the Vue inbox holds one. */
function subscribeAs<T>(token: string, query: string, variables: Record<string, unknown> = {}) {
  const events: T[] = [];
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  const client = createClient({
    url: `${server.url.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    on: { connected: () => connected() },
  });
  sockets.push(client);
  client.subscribe<T>({ query, variables }, { next: (result) => events.push(result.data as T), error: () => {}, complete: () => {} });
  // graphql-ws acknowledges the connection, not the subscription: wait until the server listens for all of this test's.
  const listening = () => eventually(() => server.app.liveSubscriptions() === sockets.length, `${sockets.length} subscriptions listening`);
  return { events, ready: ready.then(listening) };
}


describe("live across agents", () => {
  it("shows another agent the assignee, labels and status as they change", async () => {
    const id = await conversationWith();
    const ravi = subscribeAs<{ conversationUpdated: { id: string; status: string; assignee: { name: string } | null; labels: Array<{ name: string }> } }>(
      agents.ravi.token,
      `subscription { conversationUpdated { id status assignee { name } labels { name } } }`,
    );
    await ravi.ready;
    const latest = () => ravi.events.filter((event) => event.conversationUpdated.id === id).at(-1)?.conversationUpdated;
    await graphql(server, ASSIGN, { c: id, a: agents.ravi.id });
    await eventually(() => latest()?.assignee?.name === "Ravi Agent", "the assignment");
    const live = await createLabel("Live label");
    await graphql(server, ADD_LABEL, { c: id, l: live.id });
    await eventually(() => latest()?.labels[0]?.name === "Live label", "the label");
    await graphql(server, SET_STATUS, { c: id, s: "RESOLVED" });
    await eventually(() => latest()?.status === "RESOLVED", "the status");
  });

  it("shows another agent a note as soon as it is written, and its deletion", async () => {
    const id = await conversationWith();
    const ravi = subscribeAs<{ conversationNotesChanged: { notes: Array<{ id: string; body: string }> } }>(
      agents.ravi.token,
      `subscription($id: ID) { conversationNotesChanged(conversationId: $id) { notes { id body } } }`,
      { id },
    );
    const outsider = subscribeAs<unknown>(stranger.token, `subscription($id: ID) { conversationNotesChanged(conversationId: $id) { id } }`, { id });
    await Promise.all([ravi.ready, outsider.ready]);
    const note = (await graphql(server, ADD_NOTE, { c: id, body: "Called her, will pay Friday" })).data.addConversationNote.note;
    await eventually(() => ravi.events.at(-1)?.conversationNotesChanged.notes[0]?.body === "Called her, will pay Friday", "the note");
    await graphql(server, DELETE_NOTE, { id: note.id });
    await eventually(() => ravi.events.at(-1)?.conversationNotesChanged.notes.length === 0, "the deletion");
    expect(outsider.events).toEqual([]);
  });
});
