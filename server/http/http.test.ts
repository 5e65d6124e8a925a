import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rest, startTestServer, type TestServer } from "../tests/support/harness.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe("health checks for load balancers", () => {
  it("answers /healthz while the process is up, without authentication", async () => {
    expect(await rest(server, "GET", "/healthz")).toMatchObject({ status: 200, body: { status: "ok" } });
  });

  it("answers /readyz 200 while the database is reachable and 503 when it is not", async () => {
    expect(await rest(server, "GET", "/readyz")).toMatchObject({ status: 200, body: { status: "ready" } });
    // Simulates a lost database: a local SQLite file cannot be unplugged from under an open handle.
    const original = server.app.db.$queryRaw.bind(server.app.db);
    server.app.db.$queryRaw = (() => Promise.reject(new Error("database is gone"))) as typeof original;
    try {
      expect(await rest(server, "GET", "/readyz")).toMatchObject({ status: 503, body: { status: "unavailable" } });
    } finally {
      server.app.db.$queryRaw = original;
    }
  });
});

describe("HTTP surface", () => {
  it("answers unknown API routes with a JSON 404", async () => {
    const answer = await rest(server, "GET", "/api/nothing-here");
    expect(answer).toMatchObject({ status: 404, body: { success: false, error: "No route for GET /api/nothing-here" } });
  });

  it("answers an asset that is not there (a chunk of an older build) with a 404, not with the app's page", async () => {
    expect(await rest(server, "GET", "/assets/InboxPage-gone.js")).toMatchObject({ status: 404 });
  });

  it("sends security headers", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
  });

  it("sends no HTTPS-only headers when served over plain HTTP, so LAN addresses work", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.headers.get("strict-transport-security")).toBeNull();
    expect(response.headers.get("content-security-policy")).not.toContain("upgrade-insecure-requests");
  });
});
