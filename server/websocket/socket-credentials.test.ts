import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApiToken, type Viewer } from "../auth/auth.service.ts";
import { hashToken } from "../auth/tokens.ts";
import { ADMIN_API_TOKEN, ADMIN_EMAIL, graphql, loginAs, rest, startTestServer, type TestServer } from "../tests/support/harness.ts";
import { openLiveSocket, type LiveSocket, type Operation, type SocketClose } from "../tests/support/live-socket.ts";
import { eventually } from "../tests/support/simulated-whatsapp.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../tests/support/webhook-client.ts";
import { change, envelope, inbound } from "../tests/support/webhook-fixtures.ts";
import { publishRevocation } from "../realtime/pubsub.ts";
import { MAX_SUBSCRIPTIONS_PER_SOCKET } from "./websocket.ts";

let server: TestServer;
let admin: Viewer;
const sockets: LiveSocket[] = [];

beforeAll(async () => {
  server = await startTestServer(WEBHOOK_ENV);
  const user = await server.app.db.user.findUniqueOrThrow({ where: { email: ADMIN_EMAIL } });
  admin = { userId: user.id, workspaceId: user.workspaceId, role: user.role, csrfToken: null };
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.dispose()));
});
afterAll(() => server.stop());

const MESSAGE_ADDED = `subscription { messageAdded { text } }`;
type MessageAdded = { messageAdded: { text: string } };

function open(credential: { token: string } | { cookie: string }) {
  const socket = openLiveSocket(server.url, credential);
  sockets.push(socket);
  return socket;
}

let sent = 0;
/** A customer's message through the webhook; its text is unique. */
async function customerWrites() {
  const text = `message ${++sent}`;
  const answer = await deliverWebhook(server, envelope(change({ messages: [inbound({ type: "text", text: { body: text } })] })));
  expect(answer.status).toBe(200);
  return text;
}

/** Subscribes to new messages and resolves once the subscription demonstrably delivers. */
async function listening(socket: LiveSocket): Promise<Operation<MessageAdded>> {
  await socket.connected;
  const operation = socket.operate<MessageAdded>(MESSAGE_ADDED);
  await eventually(async () => (await customerWrites(), operation.events.length > 0), "the subscription to deliver");
  return operation;
}

/** The close, or a failure naming what did not happen in time. */
function closeWithin(socket: LiveSocket, ms: number): Promise<SocketClose> {
  return Promise.race([
    socket.closed,
    new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error(`The socket was still open ${ms} ms later`)), ms)),
  ]);
}

async function tokenFor(viewer: Viewer, name: string, expiresAt?: Date) {
  const created = await createApiToken(server.app.db, viewer, name);
  if (expiresAt) await server.app.db.apiToken.update({ where: { id: created.apiToken.id }, data: { expiresAt } });
  return created;
}

describe("a socket lives no longer than its credential", () => {
  it("closes within a second when its API token is revoked, and hears nothing after", async () => {
    const { token, apiToken } = await tokenFor(admin, "revoked while live");
    const socket = open({ token });
    const messages = await listening(socket);

    const revoked = await graphql(server, `mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }`, { id: apiToken.id });
    expect(revoked.errors).toBeUndefined();
    const answeredAt = Date.now();
    const close = await closeWithin(socket, 3000);
    expect(close.code).toBe(4401);
    expect(close.at - answeredAt).toBeLessThan(1000);

    const heard = messages.events.length;
    await customerWrites();
    expect(messages.events).toHaveLength(heard);
    const again = open({ token });
    expect((await closeWithin(again, 3000)).code).toBe(4403);
  });

  it("closes the browser's socket within a second of logging out", async () => {
    const session = await loginAs(server);
    const socket = open({ cookie: session.cookie });
    await listening(socket);

    const loggedOut = await rest(server, "POST", "/api/auth/logout", {}, { cookie: session.cookie, csrfToken: session.csrfToken });
    expect(loggedOut.status).toBe(200);
    const answeredAt = Date.now();
    const close = await closeWithin(socket, 3000);
    expect(close.code).toBe(4401);
    expect(close.at - answeredAt).toBeLessThan(1000);
  });

  it.each([
    [
      "an API token",
      async (expiresAt: Date) => ({ token: (await tokenFor(admin, "expiring", expiresAt)).token }),
    ],
    [
      "a browser session",
      async (expiresAt: Date) => {
        const session = await loginAs(server);
        const sessionToken = session.cookie.split("=")[1]!;
        await server.app.db.session.update({ where: { tokenHash: hashToken(sessionToken) }, data: { expiresAt } });
        return { cookie: session.cookie };
      },
    ],
  ])("closes the socket of %s when it expires, without any event", async (_name, credentialExpiringAt) => {
    const expiresAt = new Date(Date.now() + 1500);
    const socket = open(await credentialExpiringAt(expiresAt));
    await listening(socket);
    const close = await closeWithin(socket, 5000);
    expect(close.code).toBe(4401);
    expect(close.at).toBeGreaterThanOrEqual(expiresAt.getTime());
    expect(close.at - expiresAt.getTime()).toBeLessThan(1000);
  });

  it("checks the credential again before an operation: a token revoked without an event gets nothing more", async () => {
    const { token, apiToken } = await tokenFor(admin, "revoked behind our back");
    const socket = open({ token });
    await listening(socket);
    // As a lost event, or a revocation written to the database by hand, would leave it.
    await server.app.db.apiToken.update({ where: { id: apiToken.id }, data: { revokedAt: new Date() } });
    const revokedAt = Date.now();

    const attempts: Operation<MessageAdded>[] = [];
    const close = await eventually(
      () => Promise.race([socket.closed, new Promise<null>((resolve) => (attempts.push(socket.operate(MESSAGE_ADDED)), setTimeout(() => resolve(null), 50)))]),
      "an operation to find the token revoked",
    );
    expect(close.code).toBe(4401);
    expect(close.at - revokedAt).toBeLessThan(1500);
  });

  it("closes every socket of a user whose access changed (deactivated, role changed) with 4403; a new one gets the new role", async () => {
    const { db } = server.app;
    const agent = await db.user.create({
      data: { workspaceId: admin.workspaceId, email: "promoted@example.com", name: "Promoted", role: "AGENT", passwordHash: "not used: token only" },
    });
    const { token } = await tokenFor({ userId: agent.id, workspaceId: agent.workspaceId, role: agent.role, csrfToken: null }, "agent");
    const [first, second] = [open({ token }), open({ token })];
    await Promise.all([listening(first), listening(second)]);

    await db.user.update({ where: { id: agent.id }, data: { role: "ADMIN" } });
    publishRevocation(server.app.pubsub, { kind: "user", id: agent.id });
    const changedAt = Date.now();
    for (const close of await Promise.all([closeWithin(first, 3000), closeWithin(second, 3000)])) {
      expect(close.code).toBe(4403);
      expect(close.at - changedAt).toBeLessThan(1000);
    }
    await listening(open({ token }));
  });

  it("closes a socket whose user's role changed at its next check, even without the event", async () => {
    const { db } = server.app;
    const agent = await db.user.create({
      data: { workspaceId: admin.workspaceId, email: "demoted@example.com", name: "Demoted", role: "ADMIN", passwordHash: "not used: token only" },
    });
    const { token } = await tokenFor({ userId: agent.id, workspaceId: agent.workspaceId, role: agent.role, csrfToken: null }, "admin");
    const socket = open({ token });
    await listening(socket);
    await db.user.update({ where: { id: agent.id }, data: { role: "AGENT" } });
    const close = await eventually(
      () => Promise.race([socket.closed, new Promise<null>((resolve) => (socket.operate(MESSAGE_ADDED), setTimeout(() => resolve(null), 50)))]),
      "an operation to find the role changed",
    );
    expect(close.code).toBe(4403);
  });
});

describe("the socket carries subscriptions only", () => {
  it("refuses queries and mutations, so a socket can never mint a token; it stays open for subscriptions", async () => {
    const socket = open({ token: ADMIN_API_TOKEN });
    await socket.connected;
    const tokensBefore = await server.app.db.apiToken.count();
    const mint = socket.operate(`mutation { createApiToken(name: "from a socket") { ... on MutationCreateApiTokenSuccess { data { token } } } }`);
    const query = socket.operate(`{ viewer { id } }`);
    await eventually(async () => mint.errors.length > 0 && query.errors.length > 0, "both refusals");
    for (const refused of [mint, query]) {
      expect(refused.events).toEqual([]);
      expect(JSON.stringify(refused.errors)).toMatch(/subscriptions only: send queries and mutations over HTTP/);
    }
    expect(await server.app.db.apiToken.count()).toBe(tokensBefore);
    await listening(socket);
  });

  it(`refuses a subscription past ${MAX_SUBSCRIPTIONS_PER_SOCKET} on one socket with a clear error, and keeps the others`, async () => {
    const socket = open({ token: ADMIN_API_TOKEN });
    await socket.connected;
    const operations = Array.from({ length: MAX_SUBSCRIPTIONS_PER_SOCKET + 1 }, () => socket.operate<MessageAdded>(MESSAGE_ADDED));
    const refused = operations.at(-1)!;
    await eventually(async () => refused.errors.length > 0, "the refusal");
    expect(JSON.stringify(refused.errors)).toMatch(/Too many subscriptions on this socket: at most 100/);
    const accepted = operations.slice(0, -1);
    const text = await customerWrites();
    await eventually(async () => accepted.every((operation) => operation.events.some((event) => event.messageAdded.text === text)), "every accepted subscription to deliver");
    expect(accepted.every((operation) => operation.errors.length === 0)).toBe(true);
  });
});
