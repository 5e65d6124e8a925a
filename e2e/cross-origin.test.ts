import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_API_TOKEN, ADMIN_EMAIL, ADMIN_PASSWORD, startTestServer, type TestServer } from "../server/tests/support/harness.ts";
import { launchBrowser } from "./browser.ts";

// A page on another port of the same host is another origin but the same site: the browser sends
// the agent's SameSite=Lax session cookie with its requests. Whether it may read the answers is
// up to our CORS headers.

const QUERY = "{ viewer { email } apiTokens { name } conversations(first: 5) { edges { node { id } } } }";

/** Another origin on 127.0.0.1: any page, with a script of nobody's. */
async function startOtherOrigin() {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html" });
    response.end("<!doctype html><title>another origin</title><p>another origin</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function logInWithCookie(page: Page, server: TestServer) {
  await page.goto(`${server.url}/healthz`);
  const status = await page.evaluate(
    async ({ email, password }) => (await fetch("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) })).status,
    { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
  );
  expect(status).toBe(200);
}

/** What a script on the page can read of /graphql with the agent's cookie: the answer, or the browser's refusal. */
function readGraphQL(page: Page, server: TestServer, method: "GET" | "POST", token?: string) {
  return page.evaluate(
    async ({ base, query, method, token }) => {
      const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      try {
        const response =
          method === "GET"
            ? await fetch(`${base}/graphql?query=${encodeURIComponent(query)}`, { credentials: "include" })
            : await fetch(`${base}/graphql`, { method, credentials: "include", headers: { "content-type": "application/json", ...authorization }, body: JSON.stringify({ query }) });
        return { read: true, text: await response.text() };
      } catch (error) {
        return { read: false, text: String(error) };
      }
    },
    { base: server.url, query: QUERY, method, token },
  );
}

let browser: Browser;
let other: Awaited<ReturnType<typeof startOtherOrigin>>;
const servers: TestServer[] = [];
beforeAll(async () => {
  [browser, other] = await Promise.all([launchBrowser(), startOtherOrigin()]);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await Promise.all([browser?.close(), other?.close()]);
});

describe("/graphql from another origin in Chromium", () => {
  it("keeps a logged-in agent's data from a page on another port of the same host", async () => {
    const server = await startTestServer();
    servers.push(server);
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await logInWithCookie(page, server);
      // The same request from our own origin reads the agent's data: the cookie is what makes it work.
      const own = await readGraphQL(page, server, "GET");
      expect(own.text).toContain(ADMIN_EMAIL);

      await page.goto(other.url);
      const stolen = await readGraphQL(page, server, "GET");
      expect(stolen).toMatchObject({ read: false, text: expect.stringMatching(/Failed to fetch/) });
      expect((await readGraphQL(page, server, "POST")).read).toBe(false);
    } finally {
      await context.close();
    }
  });

  it("lets an origin listed in CORS_ORIGINS read with the agent's cookie, and still no other", async () => {
    const third = await startOtherOrigin();
    const server = await startTestServer({ CORS_ORIGINS: other.url });
    servers.push(server);
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await logInWithCookie(page, server);
      await page.goto(other.url);
      const listed = await readGraphQL(page, server, "GET");
      expect(listed.read).toBe(true);
      expect(listed.text).toContain(ADMIN_EMAIL);
      // A JSON POST with a token needs a preflight, which carries no credentials and is answered all the same.
      const post = await readGraphQL(page, server, "POST", ADMIN_API_TOKEN);
      expect(post.read).toBe(true);
      expect(post.text).toContain(ADMIN_EMAIL);

      await page.goto(third.url);
      expect((await readGraphQL(page, server, "GET")).read).toBe(false);
    } finally {
      await context.close();
      await third.close();
    }
  });
});
