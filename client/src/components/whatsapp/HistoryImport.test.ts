import { flushPromises, mount } from "@vue/test-utils";
import urql from "@urql/vue";
import { describe, expect, it } from "vitest";
import { fakeGraphQLServer, fakeSubscriptions } from "../../testing/harness.ts";
import HistoryImport from "./HistoryImport.vue";

const state = (fields: Record<string, unknown>) => ({
  __typename: "HistoryImport",
  phoneNumberId: "106540352242922",
  state: "IMPORTING",
  phase: 1,
  progress: 40,
  chunks: 3,
  chunksWaiting: 1,
  threads: 12,
  messages: 4_800,
  mediaWaiting: 5,
  mediaFetched: 0,
  mediaExpired: 2,
  errorCode: null,
  errorTitle: null,
  startedAt: "2026-12-06T10:00:00.000Z",
  completedAt: null,
  ...fields,
});

async function mounted(initial: unknown) {
  const subscriptions = fakeSubscriptions();
  const server = fakeGraphQLServer(() => ({ historyImport: initial }), subscriptions);
  const wrapper = mount(HistoryImport, { props: { phoneNumberId: "106540352242922" }, global: { plugins: [[urql, server.client]] } });
  await flushPromises();
  return { wrapper, subscriptions };
}

describe("HistoryImport", () => {
  it("shows the import's progress bar and figures, and moves with the subscription", async () => {
    const { wrapper, subscriptions } = await mounted(state({}));
    expect(wrapper.get("progress").attributes("value")).toBe("40");
    expect(wrapper.text()).toContain("now importing the last 90 days");
    expect(wrapper.get('[data-figure="messages"]').text()).toBe("4,800");

    subscriptions.push("HistoryImportUpdated", { historyImportUpdated: state({ state: "COMPLETE", phase: 2, progress: 100, messages: 9_000, mediaFetched: 5, mediaWaiting: 0 }) });
    await flushPromises();
    expect(wrapper.get("h3").text()).toBe("Chat history imported");
    expect(wrapper.get("progress").attributes("value")).toBe("100");
    expect(wrapper.get('[data-figure="messages"]').text()).toBe("9,000");
    expect(wrapper.get('[data-figure="media-fetched"]').text()).toBe("5");
  });

  it("says so when the business declined to share its chat history", async () => {
    const { wrapper } = await mounted(state({ state: "DECLINED", progress: 0, phase: null, messages: 0, errorCode: 2593109 }));
    expect(wrapper.get("h3").text()).toBe("History sharing was declined");
    expect(wrapper.find("progress").exists()).toBe(false);
    expect(wrapper.get('[role="status"]').text()).toContain("declined to share its chat history");
  });

  it("explains that nothing came yet", async () => {
    const { wrapper } = await mounted(null);
    expect(wrapper.text()).toContain("No chat history from the WhatsApp Business app yet");
  });
});
