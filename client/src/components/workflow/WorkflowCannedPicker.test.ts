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
].map((reply) => ({ __typename: "CannedResponse", buttons: [], ...reply }));

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

describe("a canned response with buttons", () => {
  const VISIT = {
    __typename: "CannedResponse",
    id: "c9",
    shortcut: "visit",
    body: "Your visit is tomorrow at 10.",
    buttons: [
      { __typename: "ReplyButton", id: "confirm_visit", title: "Confirm" },
      { __typename: "ReplyButton", id: "reschedule", title: "Reschedule" },
    ],
  };

  async function composerTo(recipient = { phoneNumber: "+919876543210" }) {
    const server = fakeGraphQLServer((operation) =>
      operation === "WorkflowCannedResponses"
        ? { cannedResponses: [VISIT, ...REPLIES] }
        : { sendWhatsAppInteractive: { __typename: "WindowClosedError", message: "The customer has not written in the last 24 hours" } },
    );
    const wrapper = mount(InboxComposer, { attachTo: document.body, props: { recipient }, global: { plugins: [[urql, server.client], createTestRouter()] } });
    const field = wrapper.get("textarea");
    await field.setValue("/vis");
    await flushPromises();
    return { wrapper, field, server };
  }

  it("opens the Buttons form filled in, its Send button focused, and sends body and buttons with their own ids", async () => {
    const { wrapper, field, server } = await composerTo();
    expect(wrapper.get('[role="option"][aria-selected="true"]').text()).toContain("2 buttons");
    field.element.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", cancelable: true }));
    await flushPromises();

    const form = wrapper.get('section[aria-label="New message: Buttons"]');
    expect((field.element as HTMLTextAreaElement).value).toBe("");
    expect((form.get("textarea").element as HTMLTextAreaElement).value).toBe("Your visit is tomorrow at 10.");
    const titles = form.findAll('input[type="text"]').map((input) => (input.element as HTMLInputElement).value);
    expect(titles).toEqual(["", "", "Confirm", "Reschedule"]); // header, footer, then the buttons
    expect(document.activeElement).toBe(form.get("button[type=submit]").element);
    // The preview shows it as the customer will see it.
    expect(form.get('[aria-label="Preview"]').text()).toContain("Reschedule");

    await form.get("form").trigger("submit");
    await flushPromises();
    const sent = server.requests.find((request) => request.operationName === "SendWhatsAppInteractive");
    expect(sent?.variables.input).toMatchObject({
      phoneNumber: "+919876543210",
      body: "Your visit is tomorrow at 10.",
      buttons: [
        { id: "confirm_visit", title: "Confirm" },
        { id: "reschedule", title: "Reschedule" },
      ],
    });
  });

  it("inserts its text as before where there is no one to send buttons to", async () => {
    const server = fakeGraphQLServer(() => ({ cannedResponses: [VISIT] }));
    const wrapper = mount(InboxComposer, { attachTo: document.body, global: { plugins: [[urql, server.client], createTestRouter()] } });
    const field = wrapper.get("textarea");
    await field.setValue("/visit");
    await flushPromises();
    field.element.dispatchEvent(new KeyboardEvent("keydown", { key: "Tab", cancelable: true }));
    await flushPromises();
    expect((field.element as HTMLTextAreaElement).value).toBe("Your visit is tomorrow at 10.");
    expect(wrapper.find("section.rich").exists()).toBe(false);
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
    const many = Array.from({ length: 12 }, (_, index) => ({ id: `r${index}`, shortcut: `r${index}`, body: "x", buttons: [] }));
    expect(matchCanned(many, "r")).toHaveLength(8);
  });
});
