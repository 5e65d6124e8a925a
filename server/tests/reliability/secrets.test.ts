import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSimulator, type Simulator } from "../../simulator/simulator.ts";
import { ADMIN_API_TOKEN, ADMIN_EMAIL, ADMIN_PASSWORD } from "../support/harness.ts";
import { eventually, SIMULATOR_TOKEN } from "../support/simulated-whatsapp.ts";
import { change, envelope, inbound, TEST_APP_SECRET, TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "../support/webhook-fixtures.ts";
import { signPayload } from "../../whatsapp/signature.ts";
import { KEY_FILE_NAME } from "../../secrets/secrets.ts";
import { serverEnvironment, startServerProcess, type ServerProcess } from "../support/server-process.ts";

// The server process at its most talkative (LOG_LEVEL=trace, development errors), through a
// session of logins, tokens, sends, webhooks and failures. Then every line it wrote, and every
// answer it gave, is searched for every secret it was given or handed out.

const VERIFY_TOKEN = "verify-token-of-the-test-0123";
const CUSTOMER = "919833300001";

const dir = mkdtempSync(path.join(tmpdir(), "bharat-secrets-"));
let simulator: Simulator | null = null;
let server: ServerProcess | null = null;
afterAll(async () => {
  await server?.kill("SIGKILL");
  await simulator?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  what: string;
  status: number;
  headers: string;
  body: string;
}

describe("secrets stay secret", () => {
  it("never writes a password, token, cookie, CSRF token, app secret or verify token to the logs, nor into any answer but the one that hands it out", async () => {
    simulator = createSimulator({
      token: SIMULATOR_TOKEN,
      phoneNumberId: TEST_PHONE_NUMBER_ID,
      businessAccountId: TEST_WABA_ID,
      appSecret: TEST_APP_SECRET,
      webhookUrl: "http://127.0.0.1:9/not-started-yet",
      statusDelaysMs: { sent: 20, delivered: 40, read: 60 },
    });
    const simulatorUrl = await simulator.start(0, "127.0.0.1");
    const env = await serverEnvironment(dir, {
      NODE_ENV: "development",
      LOG_LEVEL: "trace",
      WHATSAPP_TOKEN: SIMULATOR_TOKEN,
      WHATSAPP_API_BASE_URL: simulatorUrl,
      WHATSAPP_API_TIMEOUT_MS: "300",
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: VERIFY_TOKEN,
    });
    simulator.configure({ webhookUrl: `http://127.0.0.1:${env.PORT}/api/whatsapp/webhook` });
    server = await startServerProcess(env);
    const url = server.url;

    const answers: Answer[] = [];
    const secrets = new Map<string, string>([
      ["ADMIN_PASSWORD", ADMIN_PASSWORD],
      ["ADMIN_API_TOKEN", ADMIN_API_TOKEN],
      ["WHATSAPP_TOKEN", SIMULATOR_TOKEN],
      ["WHATSAPP_APP_SECRET", TEST_APP_SECRET],
      ["WHATSAPP_WEBHOOK_VERIFY_TOKEN", VERIFY_TOKEN],
    ]);
    /** Secrets handed out on purpose, once: these answers are not searched for them. */
    const handsOut = new Set<string>();
    async function call(what: string, route: string, init: RequestInit = {}) {
      const response = await fetch(`${url}${route}`, init);
      const body = await response.text();
      answers.push({ what, status: response.status, headers: JSON.stringify([...response.headers]), body });
      return { status: response.status, headers: response.headers, body, json: () => JSON.parse(body) };
    }
    const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    const graphql = (what: string, query: string, headers: Record<string, string>, variables = {}) => call(what, "/graphql", json({ query, variables }, headers));
    const asAdmin = { authorization: `Bearer ${ADMIN_API_TOKEN}` };

    // Logins: wrong, right, CSRF refused, logout.
    await call("wrong password", "/api/auth/login", json({ email: ADMIN_EMAIL, password: `${ADMIN_PASSWORD}!` }));
    const login = await call("login", "/api/auth/login", json({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }));
    handsOut.add("login");
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const csrfToken = login.json().csrfToken as string;
    secrets.set("session cookie", cookie.split("=")[1]!).set("CSRF token", csrfToken);
    await call("session", "/api/auth/session", { headers: { cookie } });
    handsOut.add("session");
    await graphql("write without CSRF", `mutation { createContact(input: { name: "No CSRF" }) { __typename } }`, { cookie });
    await graphql("write with CSRF", `mutation { createContact(input: { name: "With CSRF" }) { __typename } }`, { cookie, "x-csrf-token": csrfToken });

    // API tokens: created, used, revoked, used again; forged and expired-looking ones.
    const created = await graphql("create token", `mutation { createApiToken(name: "Zapier") { ... on MutationCreateApiTokenSuccess { data { token apiToken { id } } } } }`, asAdmin);
    handsOut.add("create token");
    const { token, apiToken } = created.json().data.createApiToken.data;
    secrets.set("created API token", token);
    await graphql("use token", "{ viewer { id email } apiTokens { id name lastUsedAt } }", { authorization: `Bearer ${token}` });
    await graphql("revoke token", `mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }`, asAdmin, { id: apiToken.id });
    await graphql("use revoked token", "{ viewer { id } }", { authorization: `Bearer ${token}` });
    await graphql("forged X-User-Id", "{ viewer { id } }", { ...asAdmin, "x-user-id": "someone-else" });
    // Team: an invitation handed out, opened, used with a chosen password, used again; that password changed.
    const invited = await graphql("invite", `mutation { inviteAgent(input: { email: "ravi@example.com", name: "Ravi", role: AGENT }) { ... on MutationInviteAgentSuccess { invite { url } } } }`, asAdmin);
    handsOut.add("invite");
    const inviteToken = (invited.json().data.inviteAgent.invite.url as string).split("/invite/")[1]!;
    secrets.set("invitation token", inviteToken).set("agent's password", "ravi's first password").set("agent's new password", "ravi's second password");
    await call("join page", `/invite/${inviteToken}`);
    await call("describe invitation", `/api/auth/invite/${inviteToken}`);
    const joined = await call("accept invitation", "/api/auth/accept-invite", json({ token: inviteToken, password: "ravi's first password" }));
    handsOut.add("accept invitation");
    const agentSession = { cookie: joined.headers.get("set-cookie")!.split(";")[0]!, "x-csrf-token": joined.json().csrfToken as string };
    await call("invitation used again", "/api/auth/accept-invite", json({ token: inviteToken, password: "ravi's first password" }));
    const changing = `mutation($current: String!, $next: String!) { changePassword(currentPassword: $current, newPassword: $next) { __typename } }`;
    await graphql("change password", changing, agentSession, { current: "ravi's first password", next: "ravi's second password" });
    await call("logout", "/api/auth/logout", { method: "POST", headers: { cookie, "x-csrf-token": csrfToken } });

    // Webhooks: Meta's handshake, a customer writing, forged and broken deliveries.
    await call("verify handshake", `/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=42`);
    await call("wrong verify token", `/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=42`);
    expect((await simulator.sendInbound({ from: CUSTOMER, name: "Ravi", type: "text", text: "Hi, my order?" })).httpStatus).toBe(200);
    const delivery = JSON.stringify(envelope(change({ messages: [inbound({ from: CUSTOMER, type: "text", text: { body: "again" } })] })));
    await call("wrong signature", "/api/whatsapp/webhook", { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signPayload(delivery, "not the secret") }, body: delivery });
    await call("unsigned", "/api/whatsapp/webhook", { method: "POST", headers: { "content-type": "application/json" }, body: delivery });
    await call("malformed", "/api/whatsapp/webhook", { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signPayload("{oops", TEST_APP_SECRET) }, body: "{oops" });

    // Sends: accepted, refused for good, an invalid token at Meta, 5xx and a timeout.
    const sendText = (what: string, message: string) => call(what, "/api/whatsapp/send", json({ phoneNumber: `+${CUSTOMER}`, message }, asAdmin));
    await sendText("send", "Shipped today");
    simulator.forceFailures({ kind: "meta", code: 131026 });
    await sendText("send refused", "Refused");
    simulator.forceFailures({ kind: "meta", code: 190 });
    await sendText("token refused by Meta", "Bad token");
    simulator.forceFailures({ kind: "http", status: 500 });
    await sendText("Meta 500", "Retry me");
    simulator.forceFailures({ kind: "timeout", hangMs: 600 });
    await sendText("Meta timeout", "Slow");
    await graphql("templates", "{ whatsappTemplates { name } whatsappStatus { configured message missing } }", asAdmin);

    // Numbers: a second number connected with its own token (refused once, then accepted), listed,
    // sent from, disconnected. The token goes in; no answer and no log line ever has it again.
    const second = { phoneNumberId: "300000000000003", businessAccountId: "400000000000004", accessToken: "EAAB-second-number-token-0123456789" };
    simulator.addNumber({ phoneNumberId: second.phoneNumberId, businessAccountId: second.businessAccountId, token: second.accessToken });
    // The key that seals tokens (made at start beside the database): never logged, never answered.
    secrets.set("secrets key", readFileSync(path.join(dir, KEY_FILE_NAME), "utf8").trim());
    secrets.set("connected number's token", second.accessToken).set("refused token", "EAAB-refused-token-0123456789");
    const connecting = `mutation($input: ConnectWhatsAppNumberInput!) { connectWhatsAppNumber(input: $input) { __typename ... on Error { message } } }`;
    await graphql("connect refused", connecting, asAdmin, { input: { ...second, accessToken: "EAAB-refused-token-0123456789" } });
    await graphql("connect", connecting, asAdmin, { input: second });
    await graphql("numbers", "{ whatsappNumbers { id phoneNumberId businessAccountId verifiedName status } }", asAdmin);
    await graphql("disconnect", `mutation($id: ID!) { disconnectWhatsAppNumber(id: $id) { __typename } }`, asAdmin, { id: second.phoneNumberId });

    // Errors of every kind.
    await graphql("syntax error", "{ viewer { ", asAdmin);
    await graphql("unknown field", "{ viewer { password passwordHash } }", asAdmin);
    await call("not found", "/api/nothing", { headers: asAdmin });
    await call("bad JSON", "/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    // Refused before it is all read: the server may close while the body is still going out.
    await call("too large", "/api/whatsapp/send", json({ message: "x".repeat(2 * 1024 * 1024) }, asAdmin)).catch(() => null);

    // Retries and status webhooks run before the clean stop (which writes the files): everything is logged.
    await eventually(async () => {
      const sent = simulator!.sentMessages().map((message) => message.body);
      const reads = simulator!.webhookAttempts().filter((attempt) => attempt.kind === "status" && attempt.httpStatus === 200 && attempt.body.includes('"read"'));
      return ["Shipped today", "Retry me", "Slow"].every((body) => sent.includes(body)) && reads.length >= sent.length;
    }, "the retried sends to reach Meta and every read receipt to be answered", 15_000);
    expect(await server.kill("SIGTERM")).toEqual({ code: 0, signal: null });

    const logs = server.output();
    expect(logs).toMatch(/"level":20/); // the most talkative levels really were on
    expect(logs).toContain("Received message from +919833300001");
    for (const [name, secret] of secrets) {
      expect(logs.includes(secret), `${name} in the logs`).toBe(false);
      const leaks = answers.filter((answer) => !handsOut.has(answer.what) && (answer.body.includes(secret) || answer.headers.includes(secret)));
      expect(leaks.map((answer) => answer.what), `${name} in an answer`).toEqual([]);
    }
    // The one answer that hands the token out is the only one that has it.
    expect(answers.filter((answer) => answer.body.includes(token)).map((answer) => answer.what)).toEqual(["create token"]);
  }, 60_000);
});
