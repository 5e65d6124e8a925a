import { describe, expect, it, vi } from "vitest";
import { createSession } from "./useSession.ts";

const admin = { id: "u1", name: "Asha Admin", email: "admin@example.com", role: "ADMIN" };

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("useSession", () => {
  it("restores the signed-in user and CSRF token from GET /api/auth/session", async () => {
    const fetch = vi.fn(async () => json(200, { success: true, csrfToken: "csrf-1", user: admin }));
    const session = createSession(fetch);
    await session.ensureLoaded();
    expect(fetch).toHaveBeenCalledWith("/api/auth/session", expect.objectContaining({ credentials: "same-origin" }));
    expect(session.user.value?.name).toBe("Asha Admin");
    expect(session.csrfToken.value).toBe("csrf-1");
  });

  it("asks the server only once however many navigations wait for it", async () => {
    const fetch = vi.fn(async () => json(401, { success: false, error: "Authentication required" }));
    const session = createSession(fetch);
    await Promise.all([session.ensureLoaded(), session.ensureLoaded()]);
    await session.ensureLoaded();
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(session.user.value).toBeNull();
  });

  it("logs in with the email and password and keeps the answer's CSRF token", async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => json(200, { success: true, csrfToken: "csrf-2", user: admin }));
    const session = createSession(fetch);
    expect(await session.login("admin@example.com", "password123")).toEqual({ ok: true });
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe("/api/auth/login");
    expect(init?.method).toBe("POST");
    expect(JSON.parse(String(init?.body))).toEqual({ email: "admin@example.com", password: "password123" });
    expect(session.csrfToken.value).toBe("csrf-2");
    expect(session.user.value?.email).toBe("admin@example.com");
  });

  it("returns the server's own words when the password is wrong", async () => {
    const session = createSession(async () => json(401, { success: false, error: "Wrong email or password" }));
    expect(await session.login("admin@example.com", "nope")).toEqual({ ok: false, error: "Wrong email or password" });
    expect(session.user.value).toBeNull();
  });

  it("explains a rate-limited login in plain words", async () => {
    const session = createSession(async () =>
      json(429, { statusCode: 429, error: "Too Many Requests", message: "Rate limit exceeded, retry in 1 minute" }),
    );
    const result = await session.login("admin@example.com", "guess");
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/Too many login attempts/) });
  });

  it("says the server is unreachable when the request itself fails", async () => {
    const session = createSession(async () => {
      throw new TypeError("Failed to fetch");
    });
    const result = await session.login("admin@example.com", "password123");
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/Could not reach the server/) });
  });

  it("logs out with the CSRF token and forgets the user even if the server cannot be reached", async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async (url) => {
      if (url === "/api/auth/logout") throw new TypeError("Failed to fetch");
      return json(200, { success: true, csrfToken: "csrf-3", user: admin });
    });
    const session = createSession(fetch);
    await session.login("admin@example.com", "password123");
    await session.logout();
    const logoutInit = fetch.mock.calls[1]?.[1];
    expect(new Headers(logoutInit?.headers).get("X-CSRF-Token")).toBe("csrf-3");
    expect(session.user.value).toBeNull();
    expect(session.csrfToken.value).toBeNull();
  });
});
