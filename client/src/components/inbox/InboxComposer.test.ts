import urql from "@urql/vue";
import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { TEXT_MAX_LENGTH } from "../../composables/useWhatsAppSend.ts";
import { createTestRouter, fakeGraphQLServer } from "../../testing/harness.ts";
import InboxComposer from "./InboxComposer.vue";

function composer() {
  // The canned-response picker inside asks the server for the workspace's replies.
  const { client } = fakeGraphQLServer(() => ({ cannedResponses: [] }));
  const wrapper = mount(InboxComposer, { attachTo: document.body, global: { plugins: [[urql, client], createTestRouter()] } });
  const field = wrapper.get("textarea");
  return { wrapper, field, sent: () => wrapper.emitted("send")?.map(([text]) => text) ?? [] };
}

describe("InboxComposer", () => {
  it("is labelled for screen readers as WhatsApp's composer is", () => {
    expect(composer().field.attributes("aria-label")).toBe("Type a message");
  });

  it("sends on Enter and empties itself", async () => {
    const { field, sent } = composer();
    await field.setValue("Your order has shipped");
    await field.trigger("keydown", { key: "Enter" });
    expect(sent()).toEqual(["Your order has shipped"]);
    expect((field.element as HTMLTextAreaElement).value).toBe("");
  });

  it("leaves Shift+Enter to the textarea, for a new line", async () => {
    const { field, sent } = composer();
    await field.setValue("Line one");
    const event = new KeyboardEvent("keydown", { key: "Enter", shiftKey: true, cancelable: true });
    field.element.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);
    expect(sent()).toEqual([]);
  });

  it("does not send while an input method is still composing a word", async () => {
    const { field, sent } = composer();
    await field.setValue("नमस्ते");
    const event = new KeyboardEvent("keydown", { key: "Enter", isComposing: true, cancelable: true });
    field.element.dispatchEvent(event);
    expect(sent()).toEqual([]);
  });

  it("sends nothing when there is only white space", async () => {
    const { field, sent, wrapper } = composer();
    await field.setValue("  \n ");
    await field.trigger("keydown", { key: "Enter" });
    expect(sent()).toEqual([]);
    expect(wrapper.get('button[aria-label="Send"]').attributes("disabled")).toBeDefined();
  });

  it("counts characters as they are typed", async () => {
    const { field, wrapper } = composer();
    expect(wrapper.get(".counter").text()).toBe(`0 / ${TEXT_MAX_LENGTH}`);
    await field.setValue("Namaste");
    expect(wrapper.get(".counter").text()).toBe(`7 / ${TEXT_MAX_LENGTH}`);
  });

  it("sends exactly 4096 characters but refuses one more, saying by how much it is too long", async () => {
    const { field, wrapper, sent } = composer();
    await field.setValue("a".repeat(TEXT_MAX_LENGTH + 1));
    expect(wrapper.get(".counter").text()).toContain("too long by 1");
    expect(field.attributes("aria-invalid")).toBe("true");
    await field.trigger("keydown", { key: "Enter" });
    expect(sent()).toEqual([]);

    await field.setValue("a".repeat(TEXT_MAX_LENGTH));
    await wrapper.get("form").trigger("submit");
    expect(sent()).toEqual(["a".repeat(TEXT_MAX_LENGTH)]);
  });
});
