import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_API_TOKEN,
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  createOtherWorkspace,
  graphql,
  loginAs,
  rest,
  startTestServer,
  type TestServer,
} from "../tests/support/harness.ts";

const VIEWER = "{ viewer { id email role } }";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe("first start", () => {
  it("creates the admin from ADMIN_EMAIL and ADMIN_PASSWORD, and logs no password", async () => {
    const admin = await server.app.db.user.findUniqueOrThrow({ where: { email: ADMIN_EMAIL } });
    expect(admin.role).toBe("ADMIN");
    expect(admin.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(server.logs)).not.toContain(ADMIN_PASSWORD);
    expect(JSON.stringify(server.logs)).not.toContain(ADMIN_API_TOKEN);
  });

  it("gives that admin ADMIN_API_TOKEN, so scripts need no login step", async () => {
    const answer = await graphql(server, VIEWER);
    expect(answer.status).toBe(200);
    expect(answer.data.viewer).toMatchObject({ email: ADMIN_EMAIL, role: "ADMIN" });
  });

  it("prints a generated password once when ADMIN_PASSWORD is not set, and never again", async () => {
    const fresh = await startTestServer({ ADMIN_PASSWORD: "", ADMIN_EMAIL: "owner@example.com" });
    try {
      const lines = fresh.logs.map((line) => String(line.msg)).filter((msg) => msg.startsWith("Created the first admin"));
      expect(lines).toHaveLength(1);
      const password = /owner@example\.com \/ (\S+)$/m.exec(lines[0]!)?.[1];
      expect(password).toBeTruthy();
      expect((await loginAs(fresh, "owner@example.com", password)).status).toBe(200);

      await fresh.app.stop();
      const again = await startTestServer({ DATABASE_URL: fresh.app.config.DATABASE_URL, ADMIN_PASSWORD: "" });
      expect(again.logs.some((line) => String(line.msg).startsWith("Created the first admin"))).toBe(false);
      await again.stop();
    } finally {
      await fresh.stop().catch(() => {});
    }
  });
});

describe("browser sessions", () => {
  it("refuses a wrong password without saying whether the email exists", async () => {
    const wrongPassword = await loginAs(server, ADMIN_EMAIL, "not the password");
    const unknownEmail = await loginAs(server, "nobody@example.com", "not the password");
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.body.error).toBe("Wrong email or password");
    expect(unknownEmail.body.error).toBe(wrongPassword.body.error);
    expect(wrongPassword.setCookie).toBe("");
  });

  it("sets an HTTP-only, SameSite session cookie and answers the CSRF token", async () => {
    const session = await loginAs(server);
    expect(session.status).toBe(200);
    expect(session.setCookie).toMatch(/HttpOnly/);
    expect(session.setCookie).toMatch(/SameSite=Lax/);
    expect(session.csrfToken).toMatch(/^[\w-]{40,}$/);
    const current = await rest(server, "GET", "/api/auth/session", undefined, { cookie: session.cookie });
    expect(current.body).toMatchObject({ csrfToken: session.csrfToken, user: { email: ADMIN_EMAIL } });
  });

  it("refuses cookie-authenticated GraphQL writes without the CSRF token", async () => {
    const session = await loginAs(server);
    const create = `mutation { createContact(input: { name: "Forged" }) { __typename } }`;
    const forged = await graphql(server, create, {}, { cookie: session.cookie });
    expect(forged.status).toBe(403);
    const wrongToken = await graphql(server, create, {}, { cookie: session.cookie, csrfToken: "x".repeat(43) });
    expect(wrongToken.status).toBe(403);
    expect(await server.app.db.contact.count({ where: { name: "Forged" } })).toBe(0);

    const genuine = await graphql(server, create, {}, { cookie: session.cookie, csrfToken: session.csrfToken });
    expect(genuine.data.createContact.__typename).toBe("MutationCreateContactSuccess");
  });

  it("ends the session on logout", async () => {
    const session = await loginAs(server);
    await rest(server, "POST", "/api/auth/logout", {}, { cookie: session.cookie });
    const after = await rest(server, "GET", "/api/auth/session", undefined, { cookie: session.cookie });
    expect(after.status).toBe(401);
  });

  it("rate limits guessing: 429 with Retry-After after ten failed logins for one email", async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    let lastBody: unknown = null;
    for (let attempt = 0; attempt < 11; attempt++) {
      const response = await fetch(`${server.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "target@example.com", password: `guess ${attempt}` }),
      });
      statuses.push(response.status);
      retryAfter = response.headers.get("retry-after");
      lastBody = await response.json();
    }
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(lastBody).toMatchObject({ success: false, error: expect.stringMatching(/^Too many attempts/) });
  });
});

describe("API tokens", () => {
  it("refuses requests without credentials and with unknown tokens", async () => {
    expect((await graphql(server, VIEWER, {}, {})).status).toBe(401);
    expect((await graphql(server, VIEWER, {}, { token: "bcrm_not-a-real-token" })).status).toBe(401);
  });

  it("creates a token that works at once, shows it once, and stops it when revoked", async () => {
    const created = await graphql(
      server,
      `mutation { createApiToken(name: "Zapier") { ... on MutationCreateApiTokenSuccess { data { token apiToken { id name } } } } }`,
    );
    const { token, apiToken } = created.data.createApiToken.data;
    expect(token).toMatch(/^bcrm_/);
    expect((await graphql(server, VIEWER, {}, { token })).data.viewer.email).toBe(ADMIN_EMAIL);

    const listed = await graphql(server, "{ apiTokens { id name revokedAt } }");
    expect(JSON.stringify(listed.data)).not.toContain(token);

    await graphql(server, `mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }`, { id: apiToken.id });
    expect((await graphql(server, VIEWER, {}, { token })).status).toBe(401);
  });

  it("refuses an expired token", async () => {
    const created = await graphql(
      server,
      `mutation { createApiToken(name: "Short", expiresInDays: 1) { ... on MutationCreateApiTokenSuccess { data { token apiToken { id } } } } }`,
    );
    const { token, apiToken } = created.data.createApiToken.data;
    await server.app.db.apiToken.update({ where: { id: apiToken.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await graphql(server, VIEWER, {}, { token })).status).toBe(401);
  });

  it("does not let one user revoke another workspace's token", async () => {
    const other = await createOtherWorkspace(server);
    const otherTokenId = (await server.app.db.apiToken.findFirstOrThrow({ where: { userId: other.user.id } })).id;
    const attempt = await graphql(server, `mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }`, { id: otherTokenId });
    expect(attempt.data.revokeApiToken.__typename).toBe("NotFoundError");
    expect((await graphql(server, VIEWER, {}, { token: other.token })).status).toBe(200);
  });
});

describe("X-User-Id", () => {
  it("never authenticates on its own: without credentials it answers 401, asking for them", async () => {
    const admin = await server.app.db.user.findUniqueOrThrow({ where: { email: ADMIN_EMAIL } });
    const answer = await rest(server, "POST", "/graphql", { query: VIEWER }, { headers: { "x-user-id": admin.id } });
    expect(answer.status).toBe(401);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.error).toMatch(/log in or send an API token/);
    expect(answer.body.error).not.toMatch(/does not match/);
  });

  it("is accepted when it names the authenticated user and refused when it names another", async () => {
    const admin = await server.app.db.user.findUniqueOrThrow({ where: { email: ADMIN_EMAIL } });
    const other = await createOtherWorkspace(server);
    const same = await graphql(server, VIEWER, {}, { token: ADMIN_API_TOKEN, headers: { "x-user-id": admin.id } });
    expect(same.data.viewer.id).toBe(admin.id);
    const forged = await graphql(server, VIEWER, {}, { token: ADMIN_API_TOKEN, headers: { "x-user-id": other.user.id } });
    expect(forged.status).toBe(403);
  });
});
