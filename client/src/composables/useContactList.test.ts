import { flushPromises } from "@vue/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ContactSummaryFragment } from "../graphql/generated/graphql.ts";
import { deferred, fakeGraphQLServer, withSetup } from "../testing/harness.ts";
import { CONTACTS_PAGE_SIZE, SEARCH_DEBOUNCE_MS, useContactList } from "./useContactList.ts";

function contact(id: string, name: string): ContactSummaryFragment {
  return { id, name, company: null, email: null, whatsappNumber: null, formattedWhatsappNumber: null, whatsappLink: null };
}

function page(contacts: ContactSummaryFragment[], endCursor: string | null, hasNextPage: boolean) {
  return {
    contacts: {
      edges: contacts.map((node) => ({ node })),
      pageInfo: { hasNextPage, endCursor },
    },
  };
}

const names = (list: readonly ContactSummaryFragment[]) => list.map((entry) => entry.name);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("useContactList", () => {
  it("loads the first page, then the next one after the cursor with Load more", async () => {
    const server = fakeGraphQLServer((_operation, variables) =>
      variables.after === "cursor-1"
        ? page([contact("c2", "Ravi")], "cursor-2", false)
        : page([contact("c1", "Asha")], "cursor-1", true),
    );
    const { result: list } = withSetup(() => useContactList(), { client: server.client });
    await flushPromises();
    expect(names(list.contacts.value)).toEqual(["Asha"]);
    expect(list.hasMore.value).toBe(true);
    expect(server.requests[0]?.variables).toEqual({ first: CONTACTS_PAGE_SIZE, after: null, search: null });

    await list.loadMore();
    expect(names(list.contacts.value)).toEqual(["Asha", "Ravi"]);
    expect(list.hasMore.value).toBe(false);
    expect(list.status.value).toBe("ready");
  });

  it("searches once the agent pauses typing, not at every keystroke", async () => {
    const server = fakeGraphQLServer(() => page([], null, false));
    const { result: list } = withSetup(() => useContactList(), { client: server.client });
    await flushPromises();
    list.search.value = "pri";
    await flushPromises();
    list.search.value = "priya ";
    await flushPromises();
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS - 1);
    await flushPromises();
    expect(server.requests).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await flushPromises();
    expect(server.requests.map((request) => request.variables.search)).toEqual([null, "priya"]);
  });

  it("shows the answer to the latest search even when an older one arrives after it", async () => {
    const slow = deferred<unknown>();
    const server = fakeGraphQLServer((_operation, variables) => {
      if (variables.search === "asha") return slow.promise;
      return variables.search === "ravi" ? page([contact("c2", "Ravi")], null, false) : page([], null, false);
    });
    const { result: list } = withSetup(() => useContactList(), { client: server.client });
    await flushPromises();
    list.search.value = "asha";
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    list.search.value = "ravi";
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    await flushPromises();
    slow.resolve(page([contact("c1", "Asha")], null, false));
    await flushPromises();
    expect(names(list.contacts.value)).toEqual(["Ravi"]);
  });

  it("reports an error and tries the same page again on retry", async () => {
    let fail = true;
    const server = fakeGraphQLServer(() => (fail ? null : page([contact("c1", "Asha")], null, false)));
    const { result: list } = withSetup(() => useContactList(), { client: server.client });
    await flushPromises();
    expect(list.status.value).toBe("error");
    fail = false;
    await list.retry();
    expect(list.status.value).toBe("ready");
    expect(names(list.contacts.value)).toEqual(["Asha"]);
  });
});
