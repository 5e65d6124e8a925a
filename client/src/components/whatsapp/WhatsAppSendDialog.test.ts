import { flushPromises, mount } from "@vue/test-utils";
import urql from "@urql/vue";
import { describe, expect, it } from "vitest";
import { chatMessage } from "../../testing/fixtures.ts";
import { fakeGraphQLServer } from "../../testing/harness.ts";
import WhatsAppSendDialog from "./WhatsAppSendDialog.vue";

const TEMPLATES = {
  whatsappTemplates: [
    {
      id: "t1",
      name: "order_update",
      language: "en",
      category: "UTILITY",
      status: "APPROVED",
      headerFormat: null,
      headerText: null,
      body: "Hi {{1}}, your order {{2}} has shipped.",
      footer: null,
      buttons: [],
      parameterCount: 2,
    },
  ],
};

function dialogAnswering(sendAnswer: unknown, windowOpen: boolean | null = true) {
  const server = fakeGraphQLServer((operation) => (operation === "WhatsAppTemplates" ? TEMPLATES : { sendWhatsApp: sendAnswer }));
  const wrapper = mount(WhatsAppSendDialog, {
    props: { contactId: "contact-1", contactName: "Priya Sharma", windowOpen },
    attachTo: document.body,
    global: { plugins: [[urql, server.client]] },
  });
  return { wrapper, server };
}

async function send(wrapper: ReturnType<typeof dialogAnswering>["wrapper"], text: string) {
  await wrapper.get("textarea").setValue(text);
  await wrapper.get("form").trigger("submit");
  await flushPromises();
}

describe("WhatsAppSendDialog", () => {
  it("counts the message live against WhatsApp's 4096 characters", async () => {
    const { wrapper } = dialogAnswering(null);
    const field = wrapper.get("textarea");
    expect(wrapper.get(`label[for="${field.attributes("id")}"]`).text()).toBe("Message");
    await field.setValue("Namaste");
    expect(wrapper.get(".counter").text()).toBe("7 / 4096");
    await field.setValue("a".repeat(4097));
    expect(wrapper.get('button[type="submit"]').attributes("disabled")).toBeDefined();
  });

  it("confirms a sent message with its WhatsApp message id", async () => {
    const { wrapper, server } = dialogAnswering({
      __typename: "SendWhatsAppSuccess",
      message: "Message sent successfully",
      messageId: "wamid.HBgMOTE5ODc2",
      queued: false,
      recipient: "Priya Sharma",
      phone: "+919876543210",
      whatsAppMessage: chatMessage({ direction: "OUTBOUND", status: "SENT" }),
    });
    await send(wrapper, "Your saree ships tomorrow.");
    const status = wrapper.get('[role="status"]');
    expect(status.text()).toContain("Message sent successfully");
    expect(status.text()).toContain("wamid.HBgMOTE5ODc2");
    const input = server.requests.find((request) => request.operationName === "SendWhatsApp")?.variables.input;
    expect(input).toMatchObject({ contactId: "contact-1", message: "Your saree ships tomorrow.", idempotencyKey: expect.any(String) });
  });

  it("says Meta's reason when the message failed", async () => {
    const { wrapper } = dialogAnswering({
      __typename: "SendFailedError",
      message: "Failed to send message",
      title: "Message undeliverable",
      code: 131026,
      details: null,
      failedMessageId: "m1",
    });
    await send(wrapper, "Hello");
    expect(wrapper.get('[role="alert"]').text()).toBe("Failed to send message: Message undeliverable (131026)");
  });

  it("lists the missing settings when WhatsApp is not configured", async () => {
    const { wrapper } = dialogAnswering({ __typename: "WhatsAppNotConfiguredError", message: "WhatsApp is not configured", missing: ["WHATSAPP_TOKEN"] });
    await send(wrapper, "Hello");
    expect(wrapper.get('[role="alert"]').text()).toBe("WhatsApp is not configured: set WHATSAPP_TOKEN");
  });

  it("offers the template picker right there when the window turns out to be closed", async () => {
    const { wrapper } = dialogAnswering({ __typename: "WindowClosedError", message: "closed", closedAt: "2025-11-24T10:00:00.000Z" });
    await send(wrapper, "Hello");
    expect(wrapper.find("textarea").exists()).toBe(false);
    expect(wrapper.text()).toContain("only allows an approved template");
    expect(wrapper.get("select").text()).toContain("order_update (en)");
  });

  it("opens on the template picker when the window is known to be closed", async () => {
    const { wrapper } = dialogAnswering(null, false);
    await flushPromises();
    expect(wrapper.find("textarea").exists()).toBe(false);
    expect(wrapper.find("select").exists()).toBe(true);
  });
});
