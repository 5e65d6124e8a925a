import { createClient, type Client } from "graphql-ws";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { createApiToken } from "../auth/auth.service.ts";
import { ADMIN_API_TOKEN, ADMIN_EMAIL, createOtherWorkspace, graphql, loginAs, startTestServer, type TestServer } from "../tests/support/harness.ts";
import { eventually } from "../tests/support/eventually.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../tests/support/webhook-client.ts";
import { change, envelope, inbound, status } from "../tests/support/webhook-fixtures.ts";

let server: TestServer;
const clients: Client[] = [];
beforeAll(async () => {
  server = await startTestServer(WEBHOOK_ENV);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});
afterAll(() => server.stop());

function connect(options: { token?: string; headers?: Record<string, string> }) {
  const client = createClient({
    url: server.url.replace(/^http/, "ws") + "/graphql",
    webSocketImpl: class extends WebSocket {
      constructor(url: string, protocols: string[]) {
        super(url, protocols, { headers: options.headers });
      }
    },
    connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : undefined,
    retryAttempts: 0,
    lazy: false,
    // The refusal reaches the subscription's error callback, which the tests inspect.
    onNonLazyError: () => {},
  });
  clients.push(client);
  return client;
}

interface Received<T> {
  events: T[];
  errors: unknown[];
  next(): Promise<T>;
}

/** Subscribes and collects every event; `next()` waits for the next one. */
function subscribe<T>(client: Client, query: string, variables: Record<string, unknown> = {}): Received<T> {
  const received: Received<T> = { events: [], errors: [], next: () => Promise.reject(new Error("unset")) };
  let waiting: ((event: T) => void) | null = null;
  received.next = () => new Promise<T>((resolve) => (waiting = resolve));
  client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        received.events.push(result.data as T);
        waiting?.(result.data as T);
        waiting = null;
      },
      error: (error) => received.errors.push(error),
      complete: () => {},
    },
  );
  return received;
}

/** A second agent (same role) in a workspace, with an API token. */
async function agentOf(workspaceId: string, name: string) {
  const { db } = server.app;
  const user = await db.user.create({ data: { workspaceId, email: `${name}@example.com`, name, role: "AGENT", passwordHash: "not used: token only" } });
  const { token } = await createApiToken(db, { userId: user.id, workspaceId, role: user.role, csrfToken: null }, name);
  return { user, token };
}

/** Resolves once `count` subscriptions listen on the server (graphql-ws acknowledges none). */
const listening = (count: number) => eventually(async () => server.app.liveSubscriptions() === count, `${count} subscriptions listening`);

/**
 * That an event does NOT reach a subscriber can only be shown by waiting: this long after the
 * same event reached another subscriber, which takes milliseconds, it would have arrived.
 */
const QUIET_MS = 400;
const quietPeriod = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS));

const MESSAGE_ADDED = `subscription { messageAdded { id text direction conversationId } }`;

describe("live events over graphql-ws", () => {
  it("pushes a customer's message to a subscriber within a second of the webhook", async () => {
    const subscriber = subscribe<{ messageAdded: { text: string } }>(connect({ token: ADMIN_API_TOKEN }), MESSAGE_ADDED);
    await listening(1);
    const started = performance.now();
    const next = subscriber.next();
    await deliverWebhook(server, envelope(change({ messages: [inbound({ type: "text", text: { body: "Live!" } })] })));
    const event = await next;
    expect(event.messageAdded).toMatchObject({ text: "Live!", direction: "INBOUND" });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("pushes status changes and conversation updates", async () => {
    const client = connect({ token: ADMIN_API_TOKEN });
    const conversations = subscribe<{ conversationUpdated: { waId: string; unreadCount: number } }>(
      client,
      `subscription { conversationUpdated { waId unreadCount lastMessagePreview } }`,
    );
    const statuses = subscribe<{ messageStatusChanged: { status: string } }>(client, `subscription { messageStatusChanged { id status } }`);
    await listening(2);
    const nextConversation = conversations.next();
    await deliverWebhook(server, envelope(change({ messages: [inbound({ from: "919600000001", type: "text", text: { body: "hi" } })] })));
    expect((await nextConversation).conversationUpdated).toMatchObject({ waId: "919600000001", unreadCount: 1 });

    const conversation = await server.app.db.conversation.findFirstOrThrow({ where: { waId: "919600000001" } });
    const outbound = await server.app.db.whatsAppMessage.create({
      data: {
        workspaceId: conversation.workspaceId,
        conversationId: conversation.id,
        wamid: "wamid.outbound-live-1",
        direction: "OUTBOUND",
        type: "text",
        preview: "thanks",
        status: "SENT",
        timestamp: new Date(),
      },
    });
    const nextStatus = statuses.next();
    await deliverWebhook(server, envelope(change({ statuses: [status(outbound.wamid!, "read")] })));
    expect((await nextStatus).messageStatusChanged).toEqual({ id: outbound.id, status: "READ" });
  });

  it("tells every agent when one of them has read a conversation", async () => {
    await deliverWebhook(server, envelope(change({ messages: [inbound({ from: "919600000002", type: "text", text: { body: "unread" } })] })));
    const conversation = await server.app.db.conversation.findFirstOrThrow({ where: { waId: "919600000002" } });
    const otherAgent = subscribe<{ conversationUpdated: { id: string; unreadCount: number } }>(
      connect({ token: ADMIN_API_TOKEN }),
      `subscription { conversationUpdated { id unreadCount } }`,
    );
    await listening(1);
    const next = otherAgent.next();
    await graphql(server, `mutation($id: ID!) { markConversationRead(id: $id) { __typename } }`, { id: conversation.id });
    expect((await next).conversationUpdated).toEqual({ id: conversation.id, unreadCount: 0 });
  });

  it("delivers nothing of one workspace to a subscriber of another", async () => {
    const other = await createOtherWorkspace(server);
    const outsider = subscribe(connect({ token: other.token }), MESSAGE_ADDED);
    const insider = subscribe<{ messageAdded: { text: string } }>(connect({ token: ADMIN_API_TOKEN }), MESSAGE_ADDED);
    await listening(2);
    const next = insider.next();
    await deliverWebhook(server, envelope(change({ messages: [inbound({ type: "text", text: { body: "secret" } })] })));
    await next;
    await quietPeriod();
    expect(outsider.events).toEqual([]);
  });

  it("shares one execution among identical subscriptions of a viewer, and still delivers to each, never across workspaces", async () => {
    const other = await createOtherWorkspace(server);
    const { workspaceId: insiderWorkspaceId } = await server.app.db.user.findFirstOrThrow({ where: { email: ADMIN_EMAIL } });
    const sourceStreams = vi.spyOn(server.app.pubsub, "subscribe");
    try {
      const insiders = Array.from({ length: 5 }, () => subscribe<{ messageAdded: { text: string } }>(connect({ token: ADMIN_API_TOKEN }), MESSAGE_ADDED));
      const outsiders = Array.from({ length: 2 }, () => subscribe(connect({ token: other.token }), MESSAGE_ADDED));
      await listening(7);
      expect(sourceStreams).toHaveBeenCalledTimes(2);
      // One source stream per viewer, not one per subscriber: each event is executed once for each.
      expect(sourceStreams.mock.calls.map(([, workspaceId]) => workspaceId).sort()).toEqual([other.workspace.id, insiderWorkspaceId].sort());
      const arrivals = insiders.map((insider) => insider.next());
      await deliverWebhook(server, envelope(change({ messages: [inbound({ type: "text", text: { body: "to all five" } })] })));
      for (const event of await Promise.all(arrivals)) expect(event.messageAdded.text).toBe("to all five");
      await quietPeriod();
      for (const outsider of outsiders) expect(outsider.events).toEqual([]);
    } finally {
      sourceStreams.mockRestore();
    }
  });

  it("keeps a subscription filtered by conversation to that conversation beside unfiltered ones of the same viewer", async () => {
    const [watched, elsewhere] = ["919600000011", "919600000012"];
    await deliverWebhook(server, envelope(change({ messages: [inbound({ from: watched, type: "text", text: { body: "first" } })] })));
    const conversation = await server.app.db.conversation.findFirstOrThrow({ where: { waId: watched } });
    const filteredQuery = `subscription($id: ID) { messageAdded(conversationId: $id) { id text direction conversationId } }`;
    const filtered = Array.from({ length: 2 }, () =>
      subscribe<{ messageAdded: { text: string } }>(connect({ token: ADMIN_API_TOKEN }), filteredQuery, { id: conversation.id }),
    );
    const unfiltered = subscribe<{ messageAdded: { text: string } }>(connect({ token: ADMIN_API_TOKEN }), MESSAGE_ADDED);
    await listening(3);
    const unfilteredNext = unfiltered.next();
    await deliverWebhook(server, envelope(change({ messages: [inbound({ from: elsewhere, type: "text", text: { body: "elsewhere" } })] })));
    expect((await unfilteredNext).messageAdded.text).toBe("elsewhere");
    const filteredNext = filtered.map((subscriber) => subscriber.next());
    await deliverWebhook(server, envelope(change({ messages: [inbound({ from: watched, type: "text", text: { body: "watched" } })] })));
    for (const event of await Promise.all(filteredNext)) expect(event.messageAdded.text).toBe("watched");
    for (const subscriber of filtered) expect(subscriber.events.map((event) => event.messageAdded.text)).toEqual(["watched"]);
  });

  it("executes apart for each user, so a field that depends on the viewer (a note's canDelete) stays theirs", async () => {
    const { workspaceId } = await server.app.db.user.findFirstOrThrow({ where: { email: ADMIN_EMAIL } });
    const [author, colleague] = await Promise.all(["author", "colleague"].map((name) => agentOf(workspaceId, name)));
    await deliverWebhook(server, envelope(change({ messages: [inbound({ from: "919600000021", type: "text", text: { body: "note me" } })] })));
    const conversation = await server.app.db.conversation.findFirstOrThrow({ where: { waId: "919600000021" } });
    type NotesChanged = { conversationNotesChanged: { notes: Array<{ body: string; canDelete: boolean }> } };
    const notesQuery = `subscription { conversationNotesChanged { notes { body canDelete } } }`;
    const [asAuthor, asColleague] = [author, colleague].map(({ token }) => subscribe<NotesChanged>(connect({ token }), notesQuery));
    await listening(2);
    const [authorNext, colleagueNext] = [asAuthor!.next(), asColleague!.next()];
    const addNote = `mutation($id: ID!) { addConversationNote(conversationId: $id, body: "mine") { __typename } }`;
    await graphql(server, addNote, { id: conversation.id }, { token: author.token });
    expect((await authorNext).conversationNotesChanged.notes).toEqual([{ body: "mine", canDelete: true }]);
    expect((await colleagueNext).conversationNotesChanged.notes).toEqual([{ body: "mine", canDelete: false }]);
  });

  it("authenticates a browser's socket by its session cookie from our own origin only", async () => {
    const session = await loginAs(server);
    const sameOrigin = subscribe<{ messageAdded: { text: string } }>(
      connect({ headers: { cookie: session.cookie, origin: server.url } }),
      MESSAGE_ADDED,
    );
    const crossSite = subscribe(connect({ headers: { cookie: session.cookie, origin: "https://evil.example" } }), MESSAGE_ADDED);
    await listening(1);
    const next = sameOrigin.next();
    await deliverWebhook(server, envelope(change({ messages: [inbound({ type: "text", text: { body: "cookie" } })] })));
    expect((await next).messageAdded.text).toBe("cookie");
    await eventually(async () => crossSite.errors.length === 1, "the cross-site socket to be refused");
    expect(crossSite.events).toEqual([]);
    expect(crossSite.errors).toHaveLength(1);
  });

  it("refuses sockets without credentials or with a revoked token", async () => {
    const anonymous = subscribe(connect({}), MESSAGE_ADDED);
    const forged = subscribe(connect({ token: "bcrm_forged" }), MESSAGE_ADDED);
    await eventually(async () => anonymous.errors.length === 1 && forged.errors.length === 1, "both sockets to be refused");
    expect(anonymous.errors).toHaveLength(1);
    expect(forged.errors).toHaveLength(1);
    expect((anonymous.errors[0] as { code: number }).code).toBe(4403);
  });
});
