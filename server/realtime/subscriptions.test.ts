import { createClient, type Client } from "graphql-ws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ADMIN_API_TOKEN, createOtherWorkspace, graphql, loginAs, startTestServer, type TestServer } from "../test/harness.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../test/webhook-client.ts";
import { change, envelope, inbound, status } from "../test/webhook-fixtures.ts";

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

/** Resolves once the server has taken the subscription (graphql-ws acknowledges nothing). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

const MESSAGE_ADDED = `subscription { messageAdded { id text direction conversationId } }`;

describe("live events over graphql-ws", () => {
  it("pushes a customer's message to a subscriber within a second of the webhook", async () => {
    const subscriber = subscribe<{ messageAdded: { text: string } }>(connect({ token: ADMIN_API_TOKEN }), MESSAGE_ADDED);
    await settle();
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
    await settle();
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
    await settle();
    const next = otherAgent.next();
    await graphql(server, `mutation($id: ID!) { markConversationRead(id: $id) { __typename } }`, { id: conversation.id });
    expect((await next).conversationUpdated).toEqual({ id: conversation.id, unreadCount: 0 });
  });

  it("delivers nothing of one workspace to a subscriber of another", async () => {
    const other = await createOtherWorkspace(server);
    const outsider = subscribe(connect({ token: other.token }), MESSAGE_ADDED);
    const insider = subscribe<{ messageAdded: { text: string } }>(connect({ token: ADMIN_API_TOKEN }), MESSAGE_ADDED);
    await settle();
    const next = insider.next();
    await deliverWebhook(server, envelope(change({ messages: [inbound({ type: "text", text: { body: "secret" } })] })));
    await next;
    await settle();
    expect(outsider.events).toEqual([]);
  });

  it("authenticates a browser's socket by its session cookie from our own origin only", async () => {
    const session = await loginAs(server);
    const sameOrigin = subscribe<{ messageAdded: { text: string } }>(
      connect({ headers: { cookie: session.cookie, origin: server.url } }),
      MESSAGE_ADDED,
    );
    const crossSite = subscribe(connect({ headers: { cookie: session.cookie, origin: "https://evil.example" } }), MESSAGE_ADDED);
    await settle();
    const next = sameOrigin.next();
    await deliverWebhook(server, envelope(change({ messages: [inbound({ type: "text", text: { body: "cookie" } })] })));
    expect((await next).messageAdded.text).toBe("cookie");
    await settle();
    expect(crossSite.events).toEqual([]);
    expect(crossSite.errors).toHaveLength(1);
  });

  it("refuses sockets without credentials or with a revoked token", async () => {
    const anonymous = subscribe(connect({}), MESSAGE_ADDED);
    const forged = subscribe(connect({ token: "bcrm_forged" }), MESSAGE_ADDED);
    await settle();
    expect(anonymous.errors).toHaveLength(1);
    expect(forged.errors).toHaveLength(1);
    expect((anonymous.errors[0] as { code: number }).code).toBe(4403);
  });
});
