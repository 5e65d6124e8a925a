import { print, type DocumentNode } from "graphql";
import { createClient, type Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as clientDocuments from "../../../client/src/graphql/generated/graphql.ts";
import { GRAPHIQL_ASSETS } from "../../graphql/graphiql.ts";
import { GRAPHQL_LIMITS } from "../../graphql/limits.ts";
import { ADMIN_API_TOKEN, loginAs, startTestServer, type TestServer } from "../support/harness.ts";

let development: TestServer;
let production: TestServer;
const sockets: Client[] = [];
beforeAll(async () => {
  [development, production] = await Promise.all([startTestServer(), startTestServer({ NODE_ENV: "production" })]);
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await Promise.all([development.stop(), production.stop()]);
});

async function gql(server: TestServer, body: unknown) {
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_API_TOKEN}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { data?: any; errors?: Array<{ message: string }> } };
}

/** Close codes the server sent: 4500 means it treated a client's mistake as its own failure. */
const closeCodes: number[] = [];

/** Runs one operation over graphql-ws; resolves with every error message it produced. */
function overWebSocket(server: TestServer, query: string): Promise<string[]> {
  const client = createClient({
    url: `${server.url.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${ADMIN_API_TOKEN}` },
    retryAttempts: 0,
    on: { closed: (event) => closeCodes.push((event as { code: number }).code) },
  });
  sockets.push(client);
  const messages: string[] = [];
  return new Promise((resolve) => {
    // A subscription that passed validation stays open: what it did not refuse at once, it accepted.
    const settle = setTimeout(() => resolve(messages), 500);
    client.subscribe(
      { query },
      {
        next: (result) => messages.push(...(result.errors ?? []).map((error) => error.message)),
        error: (error) => {
          const list = Array.isArray(error) ? error : [error];
          messages.push(...list.map((item: { message?: string; reason?: string }) => item.message ?? item.reason ?? String(item)));
          clearTimeout(settle);
          resolve(messages);
        },
        complete: () => {
          clearTimeout(settle);
          resolve(messages);
        },
      },
    );
  });
}

const quoted = (levels: number) => `${"quoted { ".repeat(levels)}id${" }".repeat(levels)}`;
const tooDeep = `{ messages(conversationId: "x", last: 1) { edges { node { ${quoted(GRAPHQL_LIMITS.maxDepth)} } } } }`;
// Within the depth and token limits, but 400 fields at the bottom of 8 levels cost over 5000.
const tooCostly = `{ messages(conversationId: "x", last: 1) { edges { node { quoted { quoted { quoted { quoted { ${"id ".repeat(400)} } } } } } } } }`;
const tooManyAliases = `mutation { ${Array.from({ length: GRAPHQL_LIMITS.maxAliases + 1 }, (_, index) => `c${index}: createContact(input: { name: "Alias ${index}" }) { __typename }`).join(" ")} }`;
const tooManyDirectives = `{ viewer { id ${"@include(if: true) ".repeat(GRAPHQL_LIMITS.maxDirectives + 1)} } }`;
const tooManyTokens = `{ viewer { ${"id ".repeat(GRAPHQL_LIMITS.maxTokens)} } }`;

describe("GraphQL limits (graphql-armor)", () => {
  it.each([
    ["deeper than the depth limit", tooDeep, /depth limit of 8/],
    ["costlier than the cost limit", tooCostly, /Cost limit of 5000/],
    ["with more aliases than allowed", tooManyAliases, /Aliases limit of 15/],
    ["with more directives than allowed", tooManyDirectives, /Directives limit of 50/],
    ["longer than the token limit", tooManyTokens, /Token limit of 1000/],
  ])("refuses an operation %s, over HTTP and over WebSocket, before running any of it", async (_name, query, message) => {
    const contacts = await development.app.db.contact.count();
    const answer = await gql(development, { query });
    // 200 with errors for application/json clients (GraphQL over HTTP); never run, never a 5xx.
    expect(answer.status).toBeLessThan(500);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors?.map((error) => error.message).join(" ")).toMatch(message);
    // Over graphql-ws, an error message: not an internal error (4500) closing the whole socket.
    expect((await overWebSocket(development, query)).join(" ")).toMatch(message);
    expect(closeCodes).not.toContain(4500);
    expect(await development.app.db.contact.count()).toBe(contacts);
  });

  it("refuses a batch of operations in one request", async () => {
    const answer = await gql(development, [{ query: "{ viewer { id } }" }, { query: "{ viewer { id } }" }]);
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/Batching is not supported/);
  });

  it("stops parsing a document 30,000 levels deep at the token limit, without a 5xx", async () => {
    const answer = await gql(development, { query: `{ viewer ${"{ workspace ".repeat(30_000)}${"}".repeat(30_000)} }` });
    expect(answer.status).toBeLessThan(500);
    expect(answer.text).toMatch(/Token limit of 1000/);
  });

  it("lets every operation of the Vue client through", async () => {
    const operations = Object.values(clientDocuments).filter(
      (value): value is DocumentNode =>
        typeof value === "object" && value !== null && (value as DocumentNode).kind === "Document" && (value as DocumentNode).definitions.some((definition) => definition.kind === "OperationDefinition"),
    );
    expect(operations.length).toBeGreaterThan(10);
    for (const document of operations) {
      const errors = await overWebSocket(development, print(document));
      expect(errors.filter((error) => /limit of/i.test(error)), print(document)).toEqual([]);
    }
  });
});

describe("in production", () => {
  it("refuses introspection, which development allows", async () => {
    for (const query of ["{ __schema { types { name } } }", `{ __type(name: "Contact") { fields { name } } }`]) {
      expect((await gql(development, { query })).body.errors).toBeUndefined();
      const answer = await gql(production, { query });
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors?.[0]?.message).toMatch(/introspection has been disabled/);
    }
    expect((await gql(production, { query: "{ viewer { __typename } }" })).body.data).toEqual({ viewer: { __typename: "User" } });
  });

  it("suggests no field names, which would map the schema", async () => {
    expect((await gql(development, { query: "{ viewr { id } }" })).text).toMatch(/Did you mean/);
    const answer = await gql(production, { query: "{ viewr { id } }" });
    expect(answer.body.errors).toHaveLength(1);
    expect(answer.text).not.toMatch(/Did you mean|viewer/);
  });

  it("suggests no enum values either, in a literal, a variable or an input field", async () => {
    const cases = [
      { query: "{ conversations(status: OPNE) { __typename } }" },
      { query: "query($s: ConversationStatus) { conversations(status: $s) { __typename } }", variables: { s: "OPNE" } },
      { query: "mutation($i: ContactInput!) { createContact(input: $i) { __typename } }", variables: { i: { name: "Priya", whatsappNumbr: "98765 43210" } } },
    ];
    for (const body of cases) {
      expect((await gql(development, body)).text).toMatch(/Did you mean/);
      const answer = await gql(production, body);
      expect(answer.body.errors).toHaveLength(1);
      expect(answer.text).not.toMatch(/Did you mean|"OPEN"|"whatsappNumber"/);
    }
  });

  it("serves no GraphiQL page, which development serves", async () => {
    const page = async (server: TestServer) => {
      const session = await loginAs(server);
      const response = await fetch(`${server.url}/graphql`, { headers: { accept: "text/html", cookie: session.cookie! } });
      return { type: response.headers.get("content-type") ?? "", text: await response.text() };
    };
    expect((await page(development)).text).toMatch(/graphiql/i);
    const answer = await page(production);
    expect(answer.type).not.toMatch(/text\/html/);
    expect(answer.text).not.toMatch(/graphiql/i);
    // Nor its files, which development serves itself (no CDN).
    const file = async (server: TestServer) => (await fetch(`${server.url}${GRAPHIQL_ASSETS}/graphiql.css`, { headers: { cookie: (await loginAs(server)).cookie! } })).status;
    expect(await file(development)).toBe(200);
    expect(await file(production)).toBe(404);
  });

  it("marks the session cookie Secure", async () => {
    expect((await loginAs(production)).setCookie).toMatch(/;\s*Secure/i);
  });
});

describe("security headers on the client pages", () => {
  // The built client (index.html for any deep link), or the page saying it is not built: the
  // same headers either way.
  const CLIENT_PAGES = ["/", "/inbox", "/contacts/123", "/login"];

  it.each(CLIENT_PAGES)("sends %s with a strict content security policy and no sniffing, framing or referrer leaks", async (route) => {
    const response = await fetch(`${development.url}${route}`);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'self'/);
    expect(csp).toMatch(/base-uri 'self'/);
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  it("adds HTTPS-only headers in production: HSTS and upgrade-insecure-requests", async () => {
    const response = await fetch(`${production.url}/`);
    expect(response.headers.get("strict-transport-security")).toMatch(/max-age=\d{7,}/);
    expect(response.headers.get("content-security-policy")).toMatch(/upgrade-insecure-requests/);
  });
});
