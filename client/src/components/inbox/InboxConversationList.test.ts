import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { conversationSummary } from "../../testing/fixtures.ts";
import { createTestRouter } from "../../testing/harness.ts";
import InboxConversationList from "./InboxConversationList.vue";

const conversations = [
  conversationSummary({ id: "c1", displayName: "Priya Sharma", unreadCount: 2, lastMessagePreview: "[Image] The blue one" }),
  conversationSummary({ id: "c2", displayName: "Ravi Kumar", windowClosesAt: "2025-11-20T10:00:00.000Z" }),
  conversationSummary({ id: "c3", displayName: "Asha Rao" }),
];
const now = new Date("2025-11-25T12:00:00.000Z");

function list(openId: string | null = null, showNumbers = false) {
  return mount(InboxConversationList, {
    props: { conversations, openId, now, showNumbers },
    attachTo: document.body,
    global: { plugins: [createTestRouter()] },
  });
}

const options = (wrapper: ReturnType<typeof list>) => wrapper.findAll('[role="option"]');

describe("InboxConversationList", () => {
  it("is one tab stop: the open conversation takes Tab, the others are reached with the arrow keys", () => {
    const wrapper = list("c2");
    expect(options(wrapper).map((option) => option.attributes("tabindex"))).toEqual(["-1", "0", "-1"]);
    expect(options(wrapper).map((option) => option.attributes("aria-selected"))).toEqual(["false", "true", "false"]);
  });

  it("moves focus with the arrow keys, Home and End, and opens the focused conversation with Enter", async () => {
    const wrapper = list();
    const listbox = wrapper.get('[role="listbox"]');
    (options(wrapper)[0]!.element as HTMLElement).focus();
    await listbox.trigger("keydown", { key: "ArrowDown" });
    expect(document.activeElement).toBe(options(wrapper)[1]!.element);
    await listbox.trigger("keydown", { key: "End" });
    expect(document.activeElement).toBe(options(wrapper)[2]!.element);
    await listbox.trigger("keydown", { key: "ArrowDown" });
    expect(document.activeElement).toBe(options(wrapper)[2]!.element);
    await listbox.trigger("keydown", { key: "Home" });
    await listbox.trigger("keydown", { key: "ArrowDown" });
    expect(wrapper.emitted("open")).toBeUndefined();
    await listbox.trigger("keydown", { key: "Enter" });
    expect(wrapper.emitted("open")).toEqual([["c2"]]);
    expect(options(wrapper)[1]!.attributes("tabindex")).toBe("0");
  });

  it("names each option with who, how many unread, the last message and whether a template is needed", () => {
    const labels = options(list()).map((option) => option.attributes("aria-label"));
    expect(labels[0]).toMatch(/^Priya Sharma, 2 unread, 📷 Photo: The blue one, /);
    expect(labels[1]).toMatch(/template needed$/);
  });

  it("shows the unread count as a badge and the window state on each row", () => {
    const wrapper = list();
    expect(options(wrapper)[0]!.get(".unread").text()).toBe("2");
    expect(options(wrapper)[1]!.text()).toContain("Template needed");
    expect(options(wrapper)[2]!.text()).toContain("Window open");
  });

  it("says which WhatsApp number each conversation is on only when the workspace has several", () => {
    expect(list().text()).not.toContain("via");
    const several = list(null, true);
    expect(options(several).map((option) => option.find(".number").text())).toEqual(Array(3).fill("via +91 80000 00001"));
    expect(options(several)[0]!.attributes("aria-label")).toContain("Priya Sharma, via +91 80000 00001");
  });
});
