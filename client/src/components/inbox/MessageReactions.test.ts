import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { chatMessage } from "../../testing/fixtures.ts";
import MessageActions from "./MessageActions.vue";
import MessageBubble from "./MessageBubble.vue";
import MessageQuote from "./MessageQuote.vue";
import MessageReactions from "./MessageReactions.vue";
import ReplyPreview from "./ReplyPreview.vue";

describe("MessageReactions", () => {
  it("shows the customer's emoji and ours as one badge, saying who put which", () => {
    const wrapper = mount(MessageReactions, {
      props: {
        contactName: "Priya",
        reactions: [
          { emoji: "🙏", direction: "INBOUND" },
          { emoji: "👍", direction: "OUTBOUND" },
        ],
      },
    });
    expect(wrapper.text()).toBe("🙏👍");
    expect(wrapper.get('[role="img"]').attributes("aria-label")).toBe("Reactions: 🙏 from Priya, 👍 from you");
  });

  it("shows nothing without reactions", () => {
    expect(mount(MessageReactions, { props: { contactName: "Priya", reactions: [] } }).html()).not.toContain("reactions");
  });
});

describe("MessageBubble with reactions", () => {
  it("puts the reactions of the message on its bubble", () => {
    const wrapper = mount(MessageBubble, {
      props: { contactName: "Priya", message: chatMessage({ reactions: [{ emoji: "😂", direction: "INBOUND" }] }) },
    });
    expect(wrapper.get(".reactions").text()).toBe("😂");
  });

  it("offers React and Reply only when asked to (a stored message, window open)", async () => {
    const message = chatMessage({ reactions: [{ emoji: "👍", direction: "OUTBOUND" }] });
    expect(mount(MessageBubble, { props: { contactName: "Priya", message } }).find('button[aria-label="React"]').exists()).toBe(false);
    const wrapper = mount(MessageBubble, { props: { contactName: "Priya", message, actions: true } });
    await wrapper.get('button[aria-label="Reply"]').trigger("click");
    expect(wrapper.emitted("reply")).toHaveLength(1);
    await wrapper.get('button[aria-label="React"]').trigger("click");
    await wrapper.get('button[aria-label="React with ❤️"]').trigger("click");
    // Our current emoji chosen again takes it back.
    await wrapper.get('button[aria-label="React"]').trigger("click");
    await wrapper.get('button[aria-label="Remove your reaction 👍"]').trigger("click");
    expect(wrapper.emitted("react")).toEqual([["❤️"], [""]]);
  });
});

describe("MessageActions", () => {
  it("is used from the keyboard: the emoji bar takes the focus, Esc closes it and returns to React", async () => {
    const wrapper = mount(MessageActions, { props: { current: null }, attachTo: document.body });
    const toggle = wrapper.get('button[aria-label="React"]');
    await toggle.trigger("click");
    expect(toggle.attributes("aria-expanded")).toBe("true");
    expect(document.activeElement?.getAttribute("aria-label")).toBe("React with 👍");
    await wrapper.get('[role="group"]').trigger("keydown", { key: "Escape" });
    expect(wrapper.find('[role="group"]').exists()).toBe(false);
    expect(document.activeElement).toBe(toggle.element);
    wrapper.unmount();
  });
});

describe("MessageQuote", () => {
  const quoted = { id: "m0", direction: "INBOUND" as const, type: "text", text: "Where is my order?", preview: "Where is my order?" };

  it("shows who is quoted and what they said, and asks to show it when it is loaded", async () => {
    const wrapper = mount(MessageQuote, { props: { quoted, contactName: "Priya", loaded: true } });
    expect(wrapper.text()).toBe("PriyaWhere is my order?");
    await wrapper.get("button").trigger("click");
    expect(wrapper.emitted("jump")).toEqual([["m0"]]);
  });

  it("is plain text when the quoted message is not loaded, and says so when it is unknown", () => {
    expect(mount(MessageQuote, { props: { quoted, contactName: "Priya", loaded: false } }).find("button").exists()).toBe(false);
    expect(mount(MessageQuote, { props: { quoted: null, contactName: "Priya", loaded: false } }).text()).toBe("Reply to an earlier message");
  });

  it("sits in a reply's bubble", () => {
    const wrapper = mount(MessageBubble, {
      props: { contactName: "Priya", message: chatMessage({ contextWamid: "wamid.M0", quoted, direction: "OUTBOUND" }), quotedLoaded: true },
    });
    expect(wrapper.get("blockquote button").text()).toContain("Where is my order?");
  });
});

describe("ReplyPreview", () => {
  it("says what the reply quotes, with ✕ to stop replying", async () => {
    const wrapper = mount(ReplyPreview, { props: { contactName: "Priya", message: { direction: "INBOUND", text: null, preview: "[Image] invoice" } } });
    expect(wrapper.get("section").attributes("aria-label")).toBe("Replying to Priya");
    expect(wrapper.text()).toContain("📷 Photo: invoice");
    await wrapper.get('button[aria-label="Cancel the reply (Esc)"]').trigger("click");
    expect(wrapper.emitted("cancel")).toHaveLength(1);
  });
});
