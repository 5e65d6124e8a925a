import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_API_TOKEN, ADMIN_EMAIL, graphql, loginAs, rest, startTestServer, type TestServer } from "../tests/support/harness.ts";
import { openLiveSocket, type LiveSocket } from "../tests/support/live-socket.ts";
import { eventually } from "../tests/support/simulated-whatsapp.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../tests/support/webhook-client.ts";
import { change, envelope, inbound } from "../tests/support/webhook-fixtures.ts";
import { setAgentRole } from "./team.service.ts";

/** Emails as a real SMTP server received them (nodemailer talks SMTP to it; nothing is mocked). */
const mailbox: Array<{ to: string[]; raw: string }> = [];
let smtp: SMTPServer;
let server: TestServer;
const sockets: LiveSocket[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        mailbox.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const { port } = smtp.server.address() as { port: number };
  server = await startTestServer({ ...WEBHOOK_ENV, SMTP_URL: `smtp://127.0.0.1:${port}`, ALLOW_SIGNUP: "true" });
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.dispose()));
});
afterAll(async () => {
  await server.stop();
  await new Promise<void>((resolve) => smtp.close(resolve));
});

const db = () => server.app.db;
const asAdmin = { token: ADMIN_API_TOKEN };

const INVITE = `mutation($input: InviteAgentInput!) { inviteAgent(input: $input) {
  __typename ... on MutationInviteAgentSuccess { invite { id email role url expiresAt } } ... on Error { message } } }`;

async function invite(email: string, role: "ADMIN" | "AGENT" = "AGENT", name = "Ravi Kumar") {
  const answer = await graphql(server, INVITE, { input: { email, name, role } }, asAdmin);
  expect(answer.data.inviteAgent.__typename).toBe("MutationInviteAgentSuccess");
  return answer.data.inviteAgent.invite as { id: string; email: string; role: string; url: string; expiresAt: string };
}

const tokenOf = (url: string) => url.split("/invite/")[1]!;

async function accept(url: string, password: string) {
  const response = await fetch(`${server.url}/api/auth/accept-invite`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: tokenOf(url), password }),
  });
  const body = await response.json();
  return { status: response.status, body, cookie: (response.headers.get("set-cookie") ?? "").split(";")[0]! };
}

let people = 0;
/** A new agent of the first workspace, joined through an invitation and signed in. */
async function newAgent(role: "ADMIN" | "AGENT" = "AGENT") {
  const email = `agent${++people}@example.com`;
  const joined = await accept((await invite(email, role)).url, "agent password 1");
  expect(joined.status).toBe(200);
  return { email, userId: joined.body.user.id as string, cookie: joined.cookie, csrfToken: joined.body.csrfToken as string };
}

const sessionOf = (cookie: string) => rest(server, "GET", "/api/auth/session", undefined, { cookie });

/** The text of an email as sent: quoted-printable soft line breaks undone. */
const textOf = (raw: string) => raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");

describe("invitations", () => {
  it("lets an admin invite an agent, who gets the link by email, chooses a password and is signed in by it", async () => {
    const issued = await invite("priya.agent@example.com", "AGENT", "Priya Agent");
    expect(issued).toMatchObject({ email: "priya.agent@example.com", role: "AGENT" });
    expect(issued.url).toMatch(/^http:\/\/[^/]+\/invite\/[A-Za-z0-9_-]{40,}$/);
    const days = (Date.parse(issued.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    // Stored hashed: the secret itself is nowhere in the database.
    expect(JSON.stringify(await db().invite.findMany())).not.toContain(tokenOf(issued.url));

    await eventually(async () => mailbox.some((mail) => mail.to.includes("priya.agent@example.com")), "the invitation email");
    const mail = mailbox.find((message) => message.to.includes("priya.agent@example.com"))!;
    expect(textOf(mail.raw)).toContain(issued.url);

    const described = await rest(server, "GET", `/api/auth/invite/${tokenOf(issued.url)}`);
    expect(described.body.invite).toMatchObject({ kind: "INVITE", email: "priya.agent@example.com", name: "Priya Agent" });

    const tooShort = await accept(issued.url, "short");
    expect(tooShort).toMatchObject({ status: 400, body: { success: false, error: "A password has at least 8 characters" } });
    expect(await db().user.count({ where: { email: "priya.agent@example.com" } })).toBe(0);

    const joined = await accept(issued.url, "priya's password");
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ success: true, user: { email: "priya.agent@example.com", name: "Priya Agent", role: "AGENT" } });
    expect(joined.body.csrfToken).toEqual(expect.any(String));
    expect((await sessionOf(joined.cookie)).body.user.email).toBe("priya.agent@example.com");

    const again = await accept(issued.url, "priya's password");
    expect(again).toMatchObject({ status: 410, body: { error: "This link has already been used. Log in, or ask an admin for a new link." } });
  });

  it("replaces the old link when re-inviting, and refuses a revoked or expired link with a clear message", async () => {
    const first = await invite("late.joiner@example.com");
    const second = await invite("late.joiner@example.com");
    expect(await accept(first.url, "a good password")).toMatchObject({ status: 410, body: { error: "This link was withdrawn by an admin. Ask them for a new one." } });

    const revoked = await graphql(server, `mutation($id: ID!) { revokeInvite(id: $id) { __typename } }`, { id: second.id }, asAdmin);
    expect(revoked.data.revokeInvite.__typename).toBe("MutationRevokeInviteSuccess");
    expect((await accept(second.url, "a good password")).status).toBe(410);
    const pending = await graphql(server, `{ invites { ... on QueryInvitesSuccess { invites { email } } } }`, {}, asAdmin);
    expect(pending.data.invites.invites).not.toContainEqual({ email: "late.joiner@example.com" });

    const third = await invite("late.joiner@example.com");
    await db().invite.update({ where: { id: third.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await accept(third.url, "a good password");
    expect(expired).toMatchObject({ status: 410, body: { error: "This link has expired (links last 7 days). Ask an admin for a new one." } });
    expect(await db().user.count({ where: { email: "late.joiner@example.com" } })).toBe(0);
  });

  it("refuses to invite an email that already has an account", async () => {
    const answer = await graphql(server, INVITE, { input: { email: ADMIN_EMAIL.toUpperCase(), name: "Admin again", role: "ADMIN" } }, asAdmin);
    expect(answer.data.inviteAgent).toMatchObject({ __typename: "ValidationError", message: "Someone already has an account with this email" });
  });
});

describe("deactivation", () => {
  it("cuts the person off at once: sessions, API tokens and open sockets stop, their open conversations become unassigned, their notes stay", async () => {
    const agent = await newAgent();
    const created = await graphql(server, `mutation { createApiToken(name: "script") { ... on MutationCreateApiTokenSuccess { data { token } } } }`, {}, agent);
    const agentToken = created.data.createApiToken.data.token as string;

    await deliverWebhook(server, envelope(change({ messages: [inbound({ from: "919800000101", type: "text", text: { body: "Where is my order?" } })] })));
    const conversation = await db().conversation.findFirstOrThrow({ where: { waId: "919800000101" } });
    const assign = `mutation($c: ID!, $a: ID) { assignConversation(conversationId: $c, assigneeId: $a) { __typename } }`;
    expect((await graphql(server, assign, { c: conversation.id, a: agent.userId }, asAdmin)).data.assignConversation.__typename).toBe("MutationAssignConversationSuccess");
    await graphql(server, `mutation($c: ID!) { addConversationNote(conversationId: $c, body: "Promised a refund") { __typename } }`, { c: conversation.id }, { token: agentToken });

    const byCookie = openLiveSocket(server.url, { cookie: agent.cookie });
    const byToken = openLiveSocket(server.url, { token: agentToken });
    sockets.push(byCookie, byToken);
    for (const socket of [byCookie, byToken]) socket.operate(`subscription { conversationUpdated { id } }`);
    await Promise.all([byCookie.connected, byToken.connected]);

    const deactivated = await graphql(server, `mutation($id: ID!) { deactivateAgent(id: $id) { ... on MutationDeactivateAgentSuccess { agent { id active } } } }`, { id: agent.userId }, asAdmin);
    expect(deactivated.data.deactivateAgent.agent).toEqual({ id: agent.userId, active: false });

    expect((await byCookie.closed).code).toBe(4403);
    expect((await byToken.closed).code).toBe(4403);
    expect((await sessionOf(agent.cookie)).status).toBe(401);
    expect((await graphql(server, `{ viewer { id } }`, {}, { token: agentToken })).status).toBe(401);
    expect((await db().conversation.findUniqueOrThrow({ where: { id: conversation.id } })).assigneeId).toBeNull();
    expect(await db().conversationNote.count({ where: { conversationId: conversation.id, authorId: agent.userId } })).toBe(1);
    expect((await graphql(server, assign, { c: conversation.id, a: agent.userId }, asAdmin)).data.assignConversation.__typename).toBe("NotFoundError");

    const login = await loginAs(server, agent.email, "agent password 1");
    expect(login).toMatchObject({ status: 401, body: { error: "This account has been deactivated. Ask an admin of your workspace to reactivate it." } });
    const agents = await graphql(server, `{ agents { id active lastSeenAt } }`, {}, asAdmin);
    expect(agents.data.agents).toContainEqual({ id: agent.userId, active: false, lastSeenAt: expect.any(String) });

    await graphql(server, `mutation($id: ID!) { reactivateAgent(id: $id) { __typename } }`, { id: agent.userId }, asAdmin);
    expect((await loginAs(server, agent.email, "agent password 1")).status).toBe(200);
    // Their old credentials stay dead: reactivation is a fresh start.
    expect((await graphql(server, `{ viewer { id } }`, {}, { token: agentToken })).status).toBe(401);
  });

  it("never leaves a workspace without an active admin", async () => {
    const admin = await db().user.findUniqueOrThrow({ where: { email: ADMIN_EMAIL } });
    // Every other admin of the workspace deactivated: the first admin is the last one.
    await db().user.updateMany({ where: { workspaceId: admin.workspaceId, role: "ADMIN", id: { not: admin.id } }, data: { active: false } });
    const demote = `mutation($id: ID!, $role: UserRole!) { setAgentRole(id: $id, role: $role) { __typename ... on Error { message } } }`;
    const refused = { __typename: "ValidationError", message: "The last active admin can be neither demoted nor deactivated: make someone else admin first" };
    const first = await graphql(server, demote, { id: admin.id, role: "AGENT" }, asAdmin);
    expect(first.errors).toBeUndefined();
    expect(first.data.setAgentRole).toEqual(refused);
    expect((await graphql(server, `mutation($id: ID!) { deactivateAgent(id: $id) { __typename ... on Error { message } } }`, { id: admin.id }, asAdmin)).data.deactivateAgent).toEqual(refused);
    expect((await db().user.findUniqueOrThrow({ where: { id: admin.id } })).role).toBe("ADMIN");

    const colleague = await newAgent();
    const promoted = await graphql(server, demote, { id: colleague.userId, role: "ADMIN" }, asAdmin);
    expect([promoted.status, promoted.errors]).toEqual([200, undefined]);
    expect(promoted.data.setAgentRole.__typename).toBe("MutationSetAgentRoleSuccess");
    expect((await sessionOf(colleague.cookie)).body.user.role).toBe("ADMIN");
    // Two admins demoting each other at the same moment: one of them stays admin.
    const both = await Promise.all([
      graphql(server, demote, { id: admin.id, role: "AGENT" }, { cookie: colleague.cookie, csrfToken: colleague.csrfToken }),
      graphql(server, demote, { id: colleague.userId, role: "AGENT" }, asAdmin),
    ]);
    // The other is refused: as the last admin (ValidationError), or, if it was already demoted, as an agent (ForbiddenError).
    const outcomes = both.map((answer) => answer.data.setAgentRole.__typename);
    expect(outcomes.filter((outcome) => outcome === "MutationSetAgentRoleSuccess")).toHaveLength(1);
    const admins = await db().user.count({ where: { workspaceId: admin.workspaceId, role: "ADMIN", active: true } });
    await db().user.update({ where: { id: admin.id }, data: { role: "ADMIN" } });
    expect(admins).toBe(1);
  });

  it("keeps an admin when two admins demote each other in the same instant (the service, past authentication)", async () => {
    const workspace = await db().workspace.create({ data: { name: "Race" } });
    const [first, second] = await Promise.all(
      ["one", "two"].map((name) => db().user.create({ data: { workspaceId: workspace.id, email: `race-${name}@example.com`, name, role: "ADMIN", passwordHash: "x" } })),
    );
    const viewer = (user: { id: string }) => ({ userId: user.id, workspaceId: workspace.id, role: "ADMIN" as const, csrfToken: null });
    const deps = { db: db(), pubsub: server.app.pubsub, mailer: null };
    const outcomes = await Promise.allSettled([setAgentRole(deps, viewer(first!), second!.id, "AGENT"), setAgentRole(deps, viewer(second!), first!.id, "AGENT")]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await db().user.count({ where: { workspaceId: workspace.id, role: "ADMIN" } })).toBe(1);
  });

  it("refuses a password reset link of a deactivated person", async () => {
    const agent = await newAgent();
    const issued = await graphql(server, `mutation($id: ID!) { createPasswordResetLink(userId: $id) { ... on MutationCreatePasswordResetLinkSuccess { invite { url } } } }`, { id: agent.userId }, asAdmin);
    await graphql(server, `mutation($id: ID!) { deactivateAgent(id: $id) { __typename } }`, { id: agent.userId }, asAdmin);
    const refused = await accept(issued.data.createPasswordResetLink.invite.url, "a new password");
    expect(refused).toMatchObject({ status: 410, body: { error: "This account has been deactivated. Ask an admin of your workspace to reactivate it." } });
    expect(await db().session.count({ where: { userId: agent.userId } })).toBe(0);
  });
});

describe("passwords", () => {
  const CHANGE = `mutation($current: String!, $next: String!) { changePassword(currentPassword: $current, newPassword: $next) { __typename ... on ValidationError { fieldErrors { field message } } } }`;

  it("changes the caller's password and ends their other sessions, keeping this one", async () => {
    const agent = await newAgent();
    const elsewhere = await loginAs(server, agent.email, "agent password 1");
    const here = { cookie: agent.cookie, csrfToken: agent.csrfToken };

    const wrong = await graphql(server, CHANGE, { current: "not it", next: "a new password" }, here);
    expect(wrong.data.changePassword.fieldErrors).toEqual([{ field: "currentPassword", message: "The current password is not right" }]);
    const short = await graphql(server, CHANGE, { current: "agent password 1", next: "short" }, here);
    expect(short.data.changePassword.fieldErrors).toEqual([{ field: "newPassword", message: "A password has at least 8 characters" }]);
    expect((await sessionOf(elsewhere.cookie!)).status).toBe(200);

    expect((await graphql(server, CHANGE, { current: "agent password 1", next: "a new password" }, here)).data.changePassword.__typename).toBe("MutationChangePasswordSuccess");
    expect((await sessionOf(elsewhere.cookie!)).status).toBe(401);
    expect((await sessionOf(agent.cookie)).status).toBe(200);
    expect((await loginAs(server, agent.email, "agent password 1")).status).toBe(401);
    expect((await loginAs(server, agent.email, "a new password")).status).toBe(200);
  });

  it("lets an admin issue a single-use reset link: the agent sets a new password and their old sessions end", async () => {
    const agent = await newAgent();
    const issued = await graphql(server, `mutation($id: ID!) { createPasswordResetLink(userId: $id) { ... on MutationCreatePasswordResetLinkSuccess { invite { url } } } }`, { id: agent.userId }, asAdmin);
    const { url } = issued.data.createPasswordResetLink.invite;
    expect((await rest(server, "GET", `/api/auth/invite/${tokenOf(url)}`)).body.invite).toMatchObject({ kind: "PASSWORD_RESET", email: agent.email });

    const reset = await accept(url, "reset password 2");
    expect(reset.status).toBe(200);
    expect(reset.body.user.id).toBe(agent.userId);
    expect((await sessionOf(agent.cookie)).status).toBe(401);
    expect((await sessionOf(reset.cookie)).status).toBe(200);
    expect((await loginAs(server, agent.email, "reset password 2")).status).toBe(200);
    expect((await accept(url, "another password")).status).toBe(410);
  });
});

describe("roles", () => {
  it("refuses admin work to agents with ForbiddenError, changing nothing", async () => {
    const agent = await newAgent();
    const answer = await graphql(server, INVITE, { input: { email: "sneaky@example.com", name: "Sneaky", role: "ADMIN" } }, agent);
    expect(answer.data.inviteAgent).toEqual({ __typename: "ForbiddenError", message: "Only admins can invite people" });
    expect(await db().invite.count({ where: { email: "sneaky@example.com" } })).toBe(0);
  });
});

describe("workspace settings", () => {
  it("lets an admin rename the workspace and set its time zone, refusing an unknown zone", async () => {
    const update = `mutation($input: WorkspaceSettingsInput!) { updateWorkspaceSettings(input: $input) {
      __typename ... on MutationUpdateWorkspaceSettingsSuccess { workspace { name timeZone } } ... on ValidationError { fieldErrors { field } } } }`;
    const bad = await graphql(server, update, { input: { timeZone: "Mars/Olympus" } }, asAdmin);
    expect(bad.data.updateWorkspaceSettings.fieldErrors).toEqual([{ field: "timeZone" }]);
    const good = await graphql(server, update, { input: { name: "Sharma Textiles", timeZone: "Asia/Dubai" } }, asAdmin);
    expect(good.data.updateWorkspaceSettings.workspace).toEqual({ name: "Sharma Textiles", timeZone: "Asia/Dubai" });
    expect((await graphql(server, `{ autoReplySettings { timeZone } }`, {}, asAdmin)).data.autoReplySettings.timeZone).toBe("Asia/Dubai");
  });
});

describe("sign-up", () => {
  const SIGNUP = { workspaceName: "Mehta Sweets", name: "Anita Mehta", email: "anita@mehta.example", password: "sweet password" };

  it("creates a workspace and its first admin, signed in (201); the same email cannot sign up twice", async () => {
    const response = await fetch(`${server.url}/api/auth/signup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(SIGNUP) });
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body).toMatchObject({ success: true, user: { email: "anita@mehta.example", role: "ADMIN" } });
    const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0]!;
    const viewer = await graphql(server, `{ viewer { role workspace { name } } agents { email } }`, {}, { cookie, csrfToken: body.csrfToken });
    expect(viewer.data).toEqual({ viewer: { role: "ADMIN", workspace: { name: "Mehta Sweets" } }, agents: [{ email: "anita@mehta.example" }] });

    const twice = await rest(server, "POST", "/api/auth/signup", { ...SIGNUP, workspaceName: "Again" });
    expect(twice).toMatchObject({ status: 400, body: { fieldErrors: [{ field: "email" }] } });
    expect(await db().workspace.count({ where: { name: "Again" } })).toBe(0);
  });

  it("says what is wrong with each field, and is rate-limited like login", async () => {
    const bad = await rest(server, "POST", "/api/auth/signup", { workspaceName: "", name: "", email: "not-an-email", password: "short" });
    expect(bad.body.fieldErrors.map((error: { field: string }) => error.field)).toEqual(["workspaceName", "name", "email", "password"]);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) statuses.push((await rest(server, "POST", "/api/auth/signup", { ...SIGNUP, email: "guess@example.com", password: "x" })).status);
    expect(statuses.slice(0, 9).every((status) => status === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
