import fc from "fast-check";
import { getNamedType, isLeafType, type GraphQLField } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "../../graphql/schema.ts";
import { ADMIN_API_TOKEN, startTestServer, type TestServer } from "../support/harness.ts";
import { WEBHOOK_ENV } from "../support/webhook-client.ts";
import { change, envelope, inbound, status, TEST_APP_SECRET } from "../support/webhook-fixtures.ts";
import { signPayload } from "../../whatsapp/signature.ts";

// Property-based: fast-check generates hundreds of hostile inputs per run (and shrinks any that
// break a property to a minimal example). The server runs as in production: unexpected errors
// are masked, so an unexpected failure shows as "Unexpected error." and is caught here.
const RUNS = 100;
const UNEXPECTED = "Unexpected error.";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    ...WEBHOOK_ENV,
    NODE_ENV: "production",
    // Sends must fail fast, never reach the internet.
    WHATSAPP_API_BASE_URL: "http://127.0.0.1:9",
    WEBHOOK_RATE_LIMIT_PER_MINUTE: "600000",
  });
});
afterAll(() => server.stop());

const TABLES = ["Workspace", "User", "Session", "ApiToken", "Contact", "Conversation", "WhatsAppMessage", "PendingStatus", "UnroutedWebhook"];

/** Rows of every table, in one query: refused input must leave each count as it was. */
async function rowCounts() {
  const [row] = await server.app.db.$queryRawUnsafe<Array<Record<string, bigint | number>>>(
    `SELECT ${TABLES.map((table) => `(SELECT COUNT(*) FROM "${table}") AS "${table}"`).join(", ")}`,
  );
  return TABLES.map((table) => `${table} ${row![table]}`).join(", ");
}

const HOSTILE_SNIPPETS = [
  "<script>alert(document.cookie)</script>",
  '<img src=x onerror="alert(1)">',
  "'; DROP TABLE \"WhatsAppMessage\"; --",
  "\" OR 1=1 --",
  "Robert'); DELETE FROM Contact WHERE ('1'='1",
  "${process.exit(1)}",
  "{{constructor.constructor('return process')()}}",
  "\u0000",
  "\ud800",
  "\udfff",
  "\u202e",
  "\ufeff",
  "नमस्ते 🙏",
  "../../etc/passwd",
  "__proto__",
];
/** Any code point (half surrogates and NUL included), or a snippet that has broken servers before. */
const hostileUnit = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  fc.constantFrom(...HOSTILE_SNIPPETS),
);
const hostileText = fc.string({ unit: hostileUnit, minLength: 1, maxLength: 40 });
/** Anything JSON can carry: wrong types, nested objects, hostile strings. */
const anyValue = fc.oneof(hostileText, fc.jsonValue({ maxDepth: 3 }), fc.constant(null));

/** What the database keeps of text it cannot store as given: each NUL and lone surrogate becomes U+FFFD. */
const storable = (text: string) => text.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await response.text();
  return { status: response.status, text };
}

function postWebhook(body: string, signature: "valid" | "wrong" | "missing" = "valid") {
  const headers: Record<string, string> =
    signature === "missing" ? {} : { "x-hub-signature-256": signPayload(signature === "valid" ? body : `${body}x`, TEST_APP_SECRET) };
  return post("/api/whatsapp/webhook", body, headers);
}

function graphql(query: string, variables: unknown = {}) {
  return post("/graphql", JSON.stringify({ query, variables }), { authorization: `Bearer ${ADMIN_API_TOKEN}` });
}

/** Every property and fixed case ends with the server still answering and Object.prototype clean. */
async function expectServerIntact() {
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  expect(Object.keys(Object.prototype)).toEqual([]);
}

/** A valid delivery: two customer messages and a status, as Meta sends them. */
function validDelivery() {
  return envelope(
    change({
      messages: [
        inbound({ from: "919900000001", type: "text", text: { body: "Hello" } }),
        inbound({ from: "919900000002", type: "image", image: { id: "media-1", mime_type: "image/jpeg", caption: "A photo" } }),
      ],
      statuses: [status("wamid.unknown-yet", "delivered")],
    }),
  ) as unknown as Record<string, unknown>;
}

/** Every path in a JSON value: where a mutation may strike. */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== "object") return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...prefix, Array.isArray(value) ? Number(key) : key]))];
}

type Mutation = { at: number; action: "replace" | "delete" | "proto"; value: unknown };

function mutate(payload: Record<string, unknown>, mutation: Mutation) {
  const paths = pathsOf(payload).filter((path) => path.length > 0);
  const path = paths[mutation.at % paths.length]!;
  const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], payload);
  const key = path.at(-1)!;
  if (mutation.action === "delete") delete parent[key];
  else if (mutation.action === "replace") parent[key] = mutation.value;
  // JSON.parse makes "__proto__" an own key; the server must treat it as data, never as a prototype.
  else Object.defineProperty(parent, "__proto__", { value: mutation.value, enumerable: true, configurable: true, writable: true });
  return JSON.stringify(payload);
}
const mutationArb = fc.record({ at: fc.nat(), action: fc.constantFrom("replace" as const, "delete" as const, "proto" as const), value: anyValue });

describe("the webhook under hostile input", () => {
  it("answers any body, signed or not, without a 5xx, and stores nothing of what it refuses", async () => {
    const body = fc.oneof(fc.jsonValue().map((value) => JSON.stringify(value)), hostileText, mutationArb.map((mutation) => mutate(validDelivery(), mutation)));
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom("valid" as const, "wrong" as const, "missing" as const), async (raw, signature) => {
        const before = await rowCounts();
        const answer = await postWebhook(raw, signature);
        expect(answer.status).toBeLessThan(500);
        if (signature === "missing") expect(answer.status).toBe(401);
        if (signature === "wrong") expect(answer.status).toBe(403);
        if (answer.status !== 200) expect(await rowCounts()).toBe(before);
      }),
      { numRuns: RUNS * 2 },
    );
    await expectServerIntact();
  }, 60_000);

  it("refuses a whole delivery when any part of it is malformed: no partial write", async () => {
    await fc.assert(
      fc.asyncProperty(mutationArb, async (mutation) => {
        const before = await rowCounts();
        const answer = await postWebhook(mutate(validDelivery(), mutation));
        expect(answer.status).toBeLessThan(500);
        if (answer.status !== 200) expect(await rowCounts()).toBe(before);
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  it.each([
    ["a __proto__ key", (delivery: Record<string, unknown>) => JSON.stringify(delivery).replace(/^\{/, '{"__proto__":{"polluted":true},')],
    ["a constructor.prototype key", (delivery: Record<string, unknown>) => JSON.stringify(delivery).replace(/^\{/, '{"constructor":{"prototype":{"polluted":true}},')],
  ])("refuses a signed delivery with %s with 400, storing nothing", async (_name, build) => {
    const before = await rowCounts();
    const answer = await postWebhook(build(validDelivery()));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ success: false, error: expect.stringMatching(/__proto__/) });
    expect(await rowCounts()).toBe(before);
    await expectServerIntact();
  });

  it("stores HTML, script and SQL-looking text verbatim, and NUL or a lone surrogate as U+FFFD", async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, async (text, profileName) => {
        const message = inbound({ from: "919900000003", type: "text", text: { body: text } });
        const answer = await postWebhook(JSON.stringify(envelope(change({ messages: [message], profileName }))));
        expect(answer.status).toBe(200);
        const stored = await server.app.db.whatsAppMessage.findUniqueOrThrow({ where: { wamid: message.id }, include: { conversation: true } });
        expect(stored.text).toBe(storable(text));
        expect(stored.conversation.profileName).toBe(storable(profileName));
      }),
      { numRuns: RUNS },
    );
    const answer = await graphql(`query($id: ID!) { messages(conversationId: $id, last: 1) { edges { node { text } } } }`, {
      id: (await server.app.db.conversation.findFirstOrThrow({ where: { waId: "919900000003" } })).id,
    });
    expect(answer.text).not.toContain("&lt;");
  }, 60_000);

  it.each([
    ["nested 30,000 levels deep inside a message", () => JSON.stringify(envelope(change({ messages: [inbound({ type: "text", text: { body: "x" } })] }))).replace('"type":"text"', `"type":"text","deep":${"[".repeat(30_000)}${"]".repeat(30_000)}`)],
    ["nested 30,000 levels deep as a change of another field", () => JSON.stringify(envelope({ field: "account_update", value: "DEEP" })).replace('"DEEP"', `${"{\"a\":".repeat(30_000)}1${"}".repeat(30_000)}`)],
    ["of 3 MB and more", () => JSON.stringify(envelope(change({ messages: [inbound({ type: "text", text: { body: "x".repeat(3 * 1024 * 1024) } })] })))],
  ])("refuses a signed body %s with a 4xx and stores nothing", async (_name, build) => {
    const before = await rowCounts();
    const answer = await postWebhook(build());
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(await rowCounts()).toBe(before);
    await expectServerIntact();
  });
});

/** A one-field operation with every argument passed as a variable of its declared type. */
function operationFor(kind: "query" | "mutation", field: GraphQLField<unknown, unknown>) {
  const variables = field.args.map((arg) => `$${arg.name}: ${arg.type}`).join(", ");
  const args = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
  const selection = isLeafType(getNamedType(field.type)) ? "" : "{ __typename }";
  return `${kind}${variables ? `(${variables})` : ""} { ${field.name}${args ? `(${args})` : ""} ${selection} }`;
}

const FIELDS = [
  ...Object.values(schema.getQueryType()!.getFields()).map((field) => ({ kind: "query" as const, field })),
  ...Object.values(schema.getMutationType()!.getFields()).map((field) => ({ kind: "mutation" as const, field })),
];

/** Random values for a field's arguments: hostile strings, wrong types, input objects with both. */
const argumentsArb = (field: GraphQLField<unknown, unknown>) =>
  fc.record(
    Object.fromEntries(
      field.args.map((arg) => [arg.name, fc.oneof(anyValue, fc.dictionary(fc.constantFrom("name", "message", "phoneNumber", "contactId", "templateName", "__proto__", "email"), anyValue))]),
    ),
  );

describe("GraphQL under hostile input", () => {
  it("answers random arguments to every query and mutation without a 5xx or an unexpected error, and changes nothing when it refuses", async () => {
    const call = fc.constantFrom(...FIELDS).chain(({ kind, field }) => argumentsArb(field).map((variables) => ({ kind, field, variables })));
    await fc.assert(
      fc.asyncProperty(call, async ({ kind, field, variables }) => {
        const before = await rowCounts();
        const answer = await graphql(operationFor(kind, field), variables);
        expect(answer.status).toBeLessThan(500);
        expect(answer.text).not.toContain(UNEXPECTED);
        const body = JSON.parse(answer.text) as { data?: Record<string, { __typename?: string }> | null; errors?: unknown[] };
        const refused = !!body.errors?.length || /Error$/.test(body.data?.[field.name]?.__typename ?? "");
        if (refused) expect(await rowCounts()).toBe(before);
      }),
      { numRuns: RUNS * 2 },
    );
    await expectServerIntact();
  }, 60_000);

  it("stores a contact's hostile text verbatim, and refuses NUL and lone surrogates without writing anything", async () => {
    const CREATE = `mutation($input: ContactInput!) { createContact(input: $input) {
      __typename ... on MutationCreateContactSuccess { contact { id name notes } } } }`;
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, async (name, notes) => {
        const before = await rowCounts();
        const answer = await graphql(CREATE, { input: { name, notes } });
        expect(answer.status).toBeLessThan(500);
        const body = JSON.parse(answer.text);
        if (storable(name) !== name || storable(notes) !== notes) {
          expect(body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
          expect(await rowCounts()).toBe(before);
        } else if (body.data.createContact.__typename === "MutationCreateContactSuccess") {
          expect(body.data.createContact.contact).toMatchObject({ name: name.trim(), notes: notes.trim() || null });
          const stored = await server.app.db.contact.findUniqueOrThrow({ where: { id: body.data.createContact.contact.id } });
          expect(stored).toMatchObject({ name: name.trim(), notes: notes.trim() || null });
        } else {
          expect(await rowCounts()).toBe(before);
        }
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  it("answers random and mutated documents without a 5xx or an unexpected error", async () => {
    const valid = `query($id: ID!) { contact(id: $id) { id name } conversations(first: 5) { edges { node { id waId } } } }`;
    const document = fc.oneof(
      fc.string({ unit: hostileUnit, maxLength: 200 }),
      fc.tuple(fc.nat(valid.length), fc.nat(20), hostileText).map(([at, cut, insert]) => valid.slice(0, at) + insert + valid.slice(at + cut)),
    );
    await fc.assert(
      fc.asyncProperty(document, anyValue, async (query, id) => {
        const answer = await graphql(query, { id });
        expect(answer.status).toBeLessThan(500);
        expect(answer.text).not.toContain(UNEXPECTED);
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  it.each([
    ["a selection nested 30,000 levels deep", () => JSON.stringify({ query: `{ viewer ${"{ workspace ".repeat(30_000)}${"}".repeat(30_000)} }` })],
    ["variables nested 30,000 levels deep", () => JSON.stringify({ query: "query($s: String) { contacts(search: $s) { __typename } }" }).replace(/}$/, `,"variables":{"s":${"[".repeat(30_000)}${"]".repeat(30_000)}}}`)],
    ["a body of 3 MB and more", () => JSON.stringify({ query: `{ viewer { id } }`, variables: { padding: "x".repeat(3 * 1024 * 1024) } })],
    ["a __proto__ key in its variables", () => `{"query":"mutation($i: ContactInput!) { createContact(input: $i) { __typename } }","variables":{"i":{"name":"P","__proto__":{"polluted":true}}}}`],
  ])("refuses %s without a 5xx, writing nothing", async (_name, build) => {
    const before = await rowCounts();
    const answer = await post("/graphql", build(), { authorization: `Bearer ${ADMIN_API_TOKEN}` });
    expect(answer.status).toBeGreaterThanOrEqual(200);
    expect(answer.status).toBeLessThan(500);
    expect(answer.text).not.toContain(UNEXPECTED);
    expect(await rowCounts()).toBe(before);
    await expectServerIntact();
  });
});

describe("GraphQL over GET under hostile input", () => {
  it("refuses variables with a __proto__ key with 400, as POST bodies are", async () => {
    const search = new URLSearchParams({ query: "query($s: String) { contacts(search: $s) { __typename } }", variables: '{"s":"a","__proto__":{"polluted":true}}' });
    const response = await fetch(`${server.url}/graphql?${search}`, { headers: { authorization: `Bearer ${ADMIN_API_TOKEN}`, accept: "application/json" } });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/__proto__/);
    await expectServerIntact();
  });
});

describe("REST under hostile input", () => {
  it("answers random bodies to every POST route without a 5xx, and changes nothing when it refuses", async () => {
    const route = fc.constantFrom("/api/whatsapp/send", "/api/auth/login", "/api/auth/logout");
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.record({ phoneNumber: anyValue, contactId: anyValue, message: anyValue, idempotencyKey: anyValue, email: anyValue, password: anyValue }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
      hostileText,
    );
    await fc.assert(
      fc.asyncProperty(route, body, async (path, raw) => {
        const before = await rowCounts();
        const answer = await post(path, raw, { authorization: `Bearer ${ADMIN_API_TOKEN}` });
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 400) {
          expect(JSON.parse(answer.text)).toMatchObject({ success: false, error: expect.any(String) });
          expect(await rowCounts()).toBe(before);
        }
      }),
      { numRuns: RUNS },
    );
    await expectServerIntact();
  }, 60_000);

  it("answers random query strings to every GET route without a 5xx", async () => {
    const path = fc.constantFrom("/api/whatsapp/webhook", "/api/whatsapp/status", "/api/auth/session", "/graphql", "/healthz");
    // Percent-encoded text, raw bytes that are not UTF-8, and broken escapes.
    const component = fc.oneof(
      hostileText.map((text) => encodeURIComponent(storable(text))),
      fc.uint8Array({ maxLength: 12 }).map((bytes) => [...bytes].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("")),
      fc.constantFrom("%", "%zz", "%ED%A0%80", "%00", "hub.mode", "hub.verify_token", "hub.challenge", "query", "variables", "__proto__"),
    );
    const query = fc.array(fc.tuple(component, component), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(path, query, async (route, pairs) => {
        const search = pairs.map(([key, value]) => `${key}=${value}`).join("&");
        const response = await fetch(`${server.url}${route}?${search}`, { headers: { authorization: `Bearer ${ADMIN_API_TOKEN}`, accept: "application/json" } });
        expect(response.status).toBeLessThan(500);
        expect(await response.text()).not.toContain(UNEXPECTED);
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  it.each([
    ["/api/whatsapp/send", "nested 30,000 levels deep", () => `{"message":${"[".repeat(30_000)}${"]".repeat(30_000)},"phoneNumber":"+919900000001"}`],
    ["/api/auth/login", "nested 30,000 levels deep", () => `{"email":${"{\"a\":".repeat(30_000)}1${"}".repeat(30_000)},"password":"x"}`],
    ["/api/whatsapp/send", "of 3 MB and more", () => JSON.stringify({ phoneNumber: "+919900000001", message: "x".repeat(3 * 1024 * 1024) })],
    ["/api/whatsapp/send", "with a __proto__ key", () => `{"phoneNumber":"+919900000001","message":"hi","__proto__":{"polluted":true}}`],
    ["/api/auth/login", "with a __proto__ key", () => `{"__proto__":{"polluted":true},"email":"admin@example.com","password":"x"}`],
    ["/api/whatsapp/send", "with a NUL in the message", () => JSON.stringify({ phoneNumber: "+919900000001", message: "a\u0000b", idempotencyKey: "k" })],
    ["/api/auth/login", "with a lone surrogate in the email", () => JSON.stringify({ email: "a\ud800@example.com", password: "x" })],
  ])("refuses a body to %s %s with a 4xx in the REST shape, writing nothing", async (path, _name, build) => {
    const before = await rowCounts();
    const answer = await post(path, build(), { authorization: `Bearer ${ADMIN_API_TOKEN}` });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(JSON.parse(answer.text)).toMatchObject({ success: false, error: expect.any(String) });
    expect(await rowCounts()).toBe(before);
    await expectServerIntact();
  });
});
