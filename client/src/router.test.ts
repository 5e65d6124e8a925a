import { afterAll, describe, expect, it } from "vitest";
import { createMemoryHistory } from "vue-router";
import { createSession } from "./composables/useSession.ts";
import { createAppRouter, safeNextPath } from "./router.ts";

const admin = { id: "u1", name: "Asha Admin", email: "admin@example.com", role: "ADMIN" };

function signedOutSession() {
  return createSession(async (url) =>
    url === "/api/auth/login"
      ? Response.json({ success: true, csrfToken: "csrf", user: admin })
      : Response.json({ success: false, error: "Authentication required" }, { status: 401 }),
  );
}

describe("safeNextPath", () => {
  it("returns to a path of this site", () => {
    expect(safeNextPath("/contacts/c1/edit?tab=notes")).toBe("/contacts/c1/edit?tab=notes");
  });

  it("refuses other sites and odd values, going to the inbox instead", () => {
    for (const next of ["https://evil.example", "//evil.example", "/\\evil.example", "contacts", undefined, ["/a"]]) {
      expect(safeNextPath(next)).toBe("/inbox");
    }
  });
});

describe("the router", () => {
  // Navigating preloads a page's code without waiting for it (router.ts): let every such import
  // finish, or vitest tears the environment down under one still loading.
  afterAll(async () => {
    const routes = createAppRouter(signedOutSession(), createMemoryHistory()).getRoutes();
    await Promise.all(routes.map(({ components }) => (typeof components?.default === "function" ? (components.default as () => Promise<unknown>)() : null)));
  });

  it("sends an anonymous visitor to the login page, remembering where they were going", async () => {
    const router = createAppRouter(signedOutSession(), createMemoryHistory());
    await router.push("/contacts/c1");
    expect(router.currentRoute.value.name).toBe("login");
    expect(router.currentRoute.value.query.next).toBe("/contacts/c1");
  });

  it("lets a signed-in agent through, and away from the login page", async () => {
    const session = signedOutSession();
    const router = createAppRouter(session, createMemoryHistory());
    await session.login("admin@example.com", "password123");
    await router.push("/settings/tokens");
    expect(router.currentRoute.value.fullPath).toBe("/settings/tokens");
    await router.push("/login?next=/contacts/c9");
    expect(router.currentRoute.value.fullPath).toBe("/contacts/c9");
  });

  it("keeps agents off the admins' pages, and lets anyone open an invitation link", async () => {
    const agent = { ...admin, id: "u2", role: "AGENT" };
    const session = createSession(async () => Response.json({ success: true, csrfToken: "csrf", user: agent }));
    const router = createAppRouter(session, createMemoryHistory());
    await router.push("/team");
    expect(router.currentRoute.value.fullPath).toBe("/inbox");
    await router.push("/automation");
    expect(router.currentRoute.value.fullPath).toBe("/inbox");
    await router.push("/settings");
    expect(router.currentRoute.value.fullPath).toBe("/settings");

    const anonymous = createAppRouter(signedOutSession(), createMemoryHistory());
    await anonymous.push("/invite/abc123");
    expect(anonymous.currentRoute.value.name).toBe("join");
  });

  it("redirects / to the inbox", async () => {
    const session = signedOutSession();
    await session.login("admin@example.com", "password123");
    const router = createAppRouter(session, createMemoryHistory());
    await router.push("/");
    expect(router.currentRoute.value.fullPath).toBe("/inbox");
  });

  it("names the tab after the page", async () => {
    const router = createAppRouter(signedOutSession(), createMemoryHistory());
    await router.push("/contacts");
    expect(document.title).toBe("Log in · Bharat CRM");
  });
});
