import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestServer, type TestServer } from "../support/harness.ts";
import { eventually } from "../support/simulated-whatsapp.ts";
import { WEBHOOK_ENV } from "../support/webhook-client.ts";
import { change, envelope, inbound, TEST_APP_SECRET } from "../support/webhook-fixtures.ts";
import { signPayload } from "../../whatsapp/signature.ts";

// What strangers on the network can do to the HTTP server: guess passwords under other spellings
// or other claimed addresses, hold connections open with bodies that never finish, and storm
// Meta's door — while Meta itself, at its highest rates, is never turned away.

const servers: TestServer[] = [];
async function start(env: Record<string, string>) {
  const server = await startTestServer(env);
  servers.push(server);
  return server;
}
// Starting and stopping servers on a busy 2-core machine can take longer than vitest's 10 s hook default.
const SERVER_HOOK_TIMEOUT_MS = 30_000;
afterAll(() => Promise.all(servers.map((server) => server.stop())), SERVER_HOOK_TIMEOUT_MS);
/** For tests that start a server of their own or check thirty passwords (scrypt): a sequence, not a timing. */
const SLOW_TEST_TIMEOUT_MS = 60_000;

async function login(server: TestServer, email: string, password: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ email, password }),
  });
  await response.body?.cancel();
  return { status: response.status, retryAfter: response.headers.get("retry-after") };
}

/** A raw connection that sends `head` and then nothing more: a slowloris client. */
function openRaw(server: TestServer, head: string) {
  const socket = connect(Number(new URL(server.url).port), "127.0.0.1");
  const state = { received: "", closed: false, socket };
  socket.on("data", (chunk) => (state.received += chunk.toString("latin1")));
  socket.on("close", () => (state.closed = true));
  socket.on("error", () => {});
  socket.write(head);
  return state;
}

const postHead = (path: string, headers: Record<string, string | number>) =>
  `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("")}\r\n`;

/** A well-formed signature header that is nobody's: the guard must read such a body, not refuse it unread. */
const LOOKS_SIGNED = { "X-Hub-Signature-256": `sha256=${"0".repeat(64)}` };

describe("login limits count every spelling of an address as one", () => {
  // Loopback stands for a trusted proxy: each test is its own client address.
  let server: TestServer;
  beforeAll(async () => {
    server = await start({ TRUST_PROXY: "127.0.0.1" });
  }, SERVER_HOOK_TIMEOUT_MS);
  const from = (address: string) => ({ "x-forwarded-for": address });

  it("logs in whatever the spelling: spaces, case, full-width letters", async () => {
    const spelled = `\u00a0${ADMIN_EMAIL.toUpperCase().replace("A", "\uff41")}\u2003`;
    expect((await login(server, spelled, ADMIN_PASSWORD, from("203.0.113.1"))).status).toBe(200);
  });

  it("gives ten failures to all spellings together, then refuses even the right password behind spaces", async () => {
    const spellings = [
      ` ${ADMIN_EMAIL}`,
      `${ADMIN_EMAIL}\t`,
      `\u00a0${ADMIN_EMAIL}`,
      ADMIN_EMAIL.toUpperCase(),
      ADMIN_EMAIL.replace("a", "\uff41"),
      `${ADMIN_EMAIL}\u2003`,
      `\u200b${ADMIN_EMAIL}`,
      `${ADMIN_EMAIL}\n`,
      ` ${ADMIN_EMAIL.replace("admin", "Admin")} `,
      ADMIN_EMAIL,
    ];
    for (const email of spellings) expect((await login(server, email, "a wrong guess", from("203.0.113.2"))).status).toBe(401);
    const locked = await login(server, `${ADMIN_EMAIL}   `, ADMIN_PASSWORD, from("203.0.113.2"));
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect((await login(server, ADMIN_EMAIL, ADMIN_PASSWORD, from("203.0.113.2"))).status).toBe(429);
    // Another client is not locked out of the account by the guesser.
    expect((await login(server, ADMIN_EMAIL, ADMIN_PASSWORD, from("203.0.113.3"))).status).toBe(200);
  }, SLOW_TEST_TIMEOUT_MS);

  it("limits one address across all emails: thirty failures, then 429 (password spraying)", async () => {
    for (let index = 0; index < 30; index++) {
      expect((await login(server, `agent${index}@example.com`, "Summer2026!", from("203.0.113.4"))).status).toBe(401);
    }
    expect((await login(server, "agent30@example.com", "Summer2026!", from("203.0.113.4"))).status).toBe(429);
  }, SLOW_TEST_TIMEOUT_MS);
});

describe("X-Forwarded-For", () => {
  it("is ignored by default, in production too: twelve wrong logins under twelve invented addresses are limited", async () => {
    const server = await start({ NODE_ENV: "production", COOKIE_SECURE: "false" });
    const statuses: number[] = [];
    for (let index = 0; index < 12; index++) {
      statuses.push((await login(server, ADMIN_EMAIL, "a wrong guess", { "x-forwarded-for": `198.51.100.${index}` })).status);
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
  }, SLOW_TEST_TIMEOUT_MS);

  it.each(["1", "127.0.0.1", "127.0.0.0/8"])("behind a proxy trusted as TRUST_PROXY=%s, a forged left-most address changes nothing", async (trust) => {
    const server = await start({ NODE_ENV: "production", COOKIE_SECURE: "false", TRUST_PROXY: trust });
    // What nginx's $proxy_add_x_forwarded_for sends: the client's own header, then the address nginx saw.
    const statuses: number[] = [];
    for (let index = 0; index < 12; index++) {
      statuses.push((await login(server, ADMIN_EMAIL, "a wrong guess", { "x-forwarded-for": `198.51.100.${index}, 203.0.113.7` })).status);
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    // The address the proxy saw is what counts: another client has its own attempts.
    expect((await login(server, ADMIN_EMAIL, ADMIN_PASSWORD, { "x-forwarded-for": "203.0.113.8" })).status).toBe(200);
  }, SLOW_TEST_TIMEOUT_MS);

  it("does not let invented addresses escape the webhook's refusal limit", async () => {
    const server = await start({ ...WEBHOOK_ENV, NODE_ENV: "production", COOKIE_SECURE: "false", WEBHOOK_RATE_LIMIT_PER_MINUTE: "60" });
    const unsigned = (index: number) =>
      fetch(`${server.url}/api/whatsapp/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": `198.51.100.${index}` },
        body: "{}",
      }).then((response) => response.status);
    expect(await unsigned(0)).toBe(401);
    const statuses = await Promise.all([1, 2, 3, 4, 5].map(unsigned));
    expect(statuses).toContain(429);
  }, SLOW_TEST_TIMEOUT_MS);
});

describe("connections that never finish", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await start({ ...WEBHOOK_ENV, PUBLIC_REQUEST_TIMEOUT_MS: "1000" });
  }, SERVER_HOOK_TIMEOUT_MS);

  it.each([
    ["/api/whatsapp/webhook", { ...LOOKS_SIGNED, "Content-Length": 2_900_000 }],
    ["/api/auth/login", { "Content-Length": 1000 }],
  ])("cuts a body trickling into %s after PUBLIC_REQUEST_TIMEOUT_MS, answering 408", async (path, headers) => {
    const slow = openRaw(server, `${postHead(path, headers)}{`);
    await eventually(async () => slow.closed, "the slow upload to be cut", 8_000);
    expect(slow.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("closes a connection whose headers never finish", async () => {
    const slow = openRaw(server, "POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: appl");
    await eventually(async () => slow.closed, "the connection to be closed", 8_000);
  });

  it("never reads a stranger's body on an authenticated route: 401 at once, connection closed", async () => {
    const stranger = openRaw(server, postHead("/graphql", { "Content-Length": 1_000_000 }));
    await eventually(async () => stranger.closed, "the connection to be closed", 8_000);
    expect(stranger.received).toMatch(/^HTTP\/1\.1 401 /);
  });

  it("answers 429, unread, to an address already sending 64 unfinished bodies", async () => {
    const patient = await start({ ...WEBHOOK_ENV });
    const slow = Array.from({ length: 64 }, () => openRaw(patient, postHead("/api/whatsapp/webhook", { ...LOOKS_SIGNED, "Content-Length": 2_900_000 })));
    try {
      const refused = await eventually(async () => {
        const probe = openRaw(patient, postHead("/api/whatsapp/webhook", { ...LOOKS_SIGNED, "Content-Length": 2_900_000 }));
        await eventually(async () => probe.received || probe.closed, "an answer or a close", 2_000).catch(() => null);
        probe.socket.destroy();
        return /^HTTP\/1\.1 429 /.test(probe.received) && probe.received;
      }, "the 65th upload to be refused", 8_000);
      expect(refused).toMatch(/retry-after: 1/i);
    } finally {
      for (const connection of slow) connection.socket.destroy();
    }
  }, SLOW_TEST_TIMEOUT_MS);
});

describe("Meta's door", () => {
  let server: TestServer;
  beforeAll(async () => {
    // A refusal limit of one a second: any limit on signed deliveries would show at once.
    server = await start({ ...WEBHOOK_ENV, WEBHOOK_RATE_LIMIT_PER_MINUTE: "60" });
  }, SERVER_HOOK_TIMEOUT_MS);

  it("stores every signed delivery of a burst far beyond the refusal limit, none answered 429", async () => {
    const messages = Array.from({ length: 300 }, (_, index) => inbound({ from: `9199000${String(index % 50).padStart(5, "0")}`, type: "text", text: { body: `burst ${index}` } }));
    const statuses: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < messages.length) {
        const body = JSON.stringify(envelope(change({ messages: [messages[next++]!] })));
        const response = await fetch(`${server.url}/api/whatsapp/webhook`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-hub-signature-256": signPayload(body, TEST_APP_SECRET) },
          body,
        });
        await response.body?.cancel();
        statuses.push(response.status);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(await server.app.db.whatsAppMessage.count({ where: { wamid: { in: messages.map((message) => message.id) } } })).toBe(300);
  }, 60_000);

  it("refuses unsigned and oversized POSTs before their bodies are sent, then slows their sender with 429", async () => {
    const unsigned = openRaw(server, postHead("/api/whatsapp/webhook", { "Content-Length": 1_000_000 }));
    await eventually(async () => unsigned.closed, "the unsigned POST to be answered and closed", 5_000);
    expect(unsigned.received).toMatch(/^HTTP\/1\.1 (401|429) /);

    const oversized = openRaw(server, postHead("/api/whatsapp/webhook", { ...LOOKS_SIGNED, "Content-Length": 4 * 1024 * 1024 }));
    await eventually(async () => oversized.closed, "the oversized POST to be answered and closed", 5_000);
    expect(oversized.received).toMatch(/^HTTP\/1\.1 413 /);

    const slowed = await fetch(`${server.url}/api/whatsapp/webhook`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Meta, on the same address, is still let in.
    const body = JSON.stringify(envelope(change({ messages: [inbound({ from: "919900012345", type: "text", text: { body: "still here" } })] })));
    const signed = await fetch(`${server.url}/api/whatsapp/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signPayload(body, TEST_APP_SECRET) },
      body,
    });
    expect(signed.status).toBe(200);
  });
});
