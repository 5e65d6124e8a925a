import { useQuery } from "@urql/vue";
import { flushPromises } from "@vue/test-utils";
import { describe, expect, it, vi } from "vitest";
import { createMemoryHistory } from "vue-router";
import { createSession } from "./composables/useSession.ts";
import { ContactQuery } from "./graphql/contacts.ts";
import { createAppRouter } from "./router.ts";
import { withSetup } from "./testing/harness.ts";
import { createAppGraphQLClient, createGraphQLClient } from "./urql.ts";

function stubFetch(status: number, body: unknown) {
  const fetch = vi.fn<typeof globalThis.fetch>(async () => Response.json(body, { status }));
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

describe("the GraphQL client", () => {
  it("POSTs to /graphql with the session cookie and the session's CSRF token", async () => {
    const fetch = stubFetch(200, { data: { contact: null } });
    let token = "csrf-1";
    const client = createGraphQLClient({ csrfToken: () => token, onUnauthorized: vi.fn() });
    await client.query(ContactQuery, { id: "c1" }).toPromise();
    token = "csrf-2";
    await client.query(ContactQuery, { id: "c2" }).toPromise();

    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe("/graphql");
    expect(init?.method).toBe("POST");
    expect(init?.credentials).toBe("same-origin");
    expect(new Headers(init?.headers).get("X-CSRF-Token")).toBe("csrf-1");
    expect(new Headers(fetch.mock.calls[1]?.[1]?.headers).get("X-CSRF-Token")).toBe("csrf-2");
    vi.unstubAllGlobals();
  });

  it("reports a 401 answer as the session having ended", async () => {
    stubFetch(401, { success: false, error: "Authentication required: log in or send an API token" });
    const onUnauthorized = vi.fn();
    const client = createGraphQLClient({ csrfToken: () => null, onUnauthorized });
    const result = await client.query(ContactQuery, { id: "c1" }).toPromise();
    expect(result.error).toBeDefined();
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    vi.unstubAllGlobals();
  });

  it("does not treat other failures as a signed-out session", async () => {
    stubFetch(403, { success: false, error: "Missing or invalid CSRF token" });
    const onUnauthorized = vi.fn();
    const client = createGraphQLClient({ csrfToken: () => null, onUnauthorized });
    await client.query(ContactQuery, { id: "c1" }).toPromise();
    expect(onUnauthorized).not.toHaveBeenCalled();
    vi.unstubAllGlobals();
  });
});

describe("the app's GraphQL client", () => {
  it("does not re-run the shown page's queries when the session changes, e.g. at logout", async () => {
    const user = { id: "u1", name: "Asha", email: "asha@example.com", role: "AGENT" };
    const session = createSession(async () => Response.json({ success: true, csrfToken: "csrf-1", user }));
    await session.login("asha@example.com", "password123");
    const fetch = stubFetch(200, { data: { contact: null } });
    const client = createAppGraphQLClient(session, createAppRouter(session, createMemoryHistory()));
    withSetup(
      () => useQuery({ query: ContactQuery, variables: { id: "c1" }, requestPolicy: "cache-and-network" }),
      { client: client.value },
    );
    await flushPromises();
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(new Headers(fetch.mock.calls[0]?.[1]?.headers).get("X-CSRF-Token")).toBe("csrf-1");

    session.clear();
    await flushPromises();
    expect(fetch).toHaveBeenCalledTimes(1);
    vi.unstubAllGlobals();
  });
});
