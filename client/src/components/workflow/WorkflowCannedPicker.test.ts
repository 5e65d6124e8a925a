import urql from "@urql/vue";
import { flushPromises, mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { cannedQuery, matchCanned } from "../../composables/useWorkflowCannedResponses.ts";
import { createTestRouter, fakeGraphQLServer } from "../../testing/harness.ts";
import InboxComposer from "../inbox/InboxComposer.vue";

/** As the server answers them: by shortcut. */
const REPLIES = [
  { id: "c4", shortcut: "cod-charges", body: "Cash on delivery costs ₹40 extra." },
  { id: "c3", shortcut: "hours", body: "We are open 9 to 6, Monday to Saturday." },
  { id: "c1", shortcut: "thanks", body: "Thank you for shopping with us!" },
  { id: "c2", shortcut: "tracking", body: "Your tracking number is in the SMS we sent." },
].map((reply) => ({ __typename: "CannedResponse", ...reply }));

/** The composer as agents use it, with the picker inside it asking a fake server for replies. */
async function composer(replies = REPLIES) {
  const server = fakeGraphQLServer(() => ({ cannedResponses: replies }));
  const wrapper = mount(InboxComposer, { attachTo: document.body, global: { plugins: [[urql, server.client], createTestRouter()] } });
  const field = wrapper.get("textarea");
  const type = async (text: string) => {
    await field.setValue(text);
    await flushPromises();
  };
  const press = async (key: string, init: KeyboardEventInit = {}) => {
    const event = new KeyboardEvent("keydown", { key, cancelable: true, ...init });
    field.element.dispatchEvent(event);
    await flushPromises();
    return event;
  };
  const options = () => wrapper.findAll('[role="option"]');
  const shortcuts = () => options().map((option) => option.get(".shortcut").text());
  const selected = () => wrapper.find('[role="option"][aria-selected="true"] .shortcut').text();
  return { wrapper, field, type, press, options, shortcuts, selected, server, sent: () => wrapper.emitted("send")?.map(([text]) => text) ?? [] };
}

describe("the canned-response picker", () => {
  it("opens when the composer starts with /, listing replies whose shortcut matches what is typed", async () => {
    const { type, shortcuts, wrapper } = await composer();
    await type("Hello /th");
    expect(wrapper.find('[role="listbox"]').exists()).toBe(false);
    await type("/");
    expect(shortcuts()).toEqual(["/cod-charges", "/hours", "/thanks", "/tracking"]);
    await type("/h");
    // Shortcuts starting with it first, then those containing it.
    expect(shortcuts()).toEqual(["/hours", "/cod-charges", "/thanks"]);
    await type("/TH");
    expect(shortcuts()).toEqual(["/thanks"]);
  });

  it("moves with the arrow keys, and Enter inserts the chosen reply without sending it", async () => {
    const { type, press, selected, field, sent, wrapper } = await composer();
    await type("/t");
    expect(selected()).toBe("/thanks");
    await press("ArrowDown");
    expect(selected()).toBe("/tracking");
    // The textarea keeps the focus and points screen readers at the highlighted option.
    const activeId = wrapper.get('[role="option"][aria-selected="true"]').attributes("id");
    expect(field.attributes("aria-activedescendant")).toBe(activeId);
    await press("ArrowUp");
    expect(selected()).toBe("/thanks");
    // Past the first, back to the last.
    await press("ArrowUp");
    expect(selected()).toBe("/tracking");
    const enter = await press("Enter");
    expect(enter.defaultPrevented).toBe(true);
    expect((field.element as HTMLTextAreaElement).value).toBe("Your tracking number is in the SMS we sent.");
    expect(sent()).toEqual([]);
    expect(wrapper.find('[role="listbox"]').exists()).toBe(false);
  });

  it("inserts with Tab too, and the agent sends the reply with the next Enter", async () => {
    const { type, press, field, sent } = await composer();
    await type("/hou");
    await press("Tab");
    expect((field.element as HTMLTextAreaElement).value).toBe("We are open 9 to 6, Monday to Saturday.");
    await press("Enter");
    expect(sent()).toEqual(["We are open 9 to 6, Monday to Saturday."]);
  });

  it("closes on Escape, after which Enter sends the text as typed", async () => {
    const { type, press, wrapper, sent } = await composer();
    await type("/thanks");
    await press("Escape");
    expect(wrapper.find('[role="listbox"]').exists()).toBe(false);
    await press("Enter");
    expect(sent()).toEqual(["/thanks"]);
  });

  it("says when nothing matches, and leaves Enter to send", async () => {
    const { type, press, wrapper, sent } = await composer();
    await type("/refund");
    expect(wrapper.get('[role="status"]').text()).toContain("No canned response starts with “/refund”");
    await press("Enter");
    expect(sent()).toEqual(["/refund"]);
  });

  it("asks the server again each time it opens, so a reply another agent just saved is offered", async () => {
    const { type, server } = await composer();
    await type("/");
    await type("");
    await type("/t");
    expect(server.requests.filter((request) => request.operationName === "WorkflowCannedResponses")).toHaveLength(2);
  });
});

describe("cannedQuery and matchCanned", () => {
  it("reads a shortcut only from a leading slash and one word", () => {
    expect(cannedQuery("/")).toBe("");
    expect(cannedQuery("/Thanks")).toBe("thanks");
    expect(cannedQuery("/thanks for waiting")).toBeNull();
    expect(cannedQuery(" /thanks")).toBeNull();
    expect(cannedQuery("see https://x/y")).toBeNull();
  });

  it("offers at most eight", () => {
    const many = Array.from({ length: 12 }, (_, index) => ({ id: `r${index}`, shortcut: `r${index}`, body: "x" }));
    expect(matchCanned(many, "r")).toHaveLength(8);
  });
});
