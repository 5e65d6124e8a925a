import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { chatMessage } from "../../testing/fixtures.ts";
import MessageBubble from "./MessageBubble.vue";

describe("a message sent from the WhatsApp Business app", () => {
  it("says so on its bubble, with the ticks of any outbound message", () => {
    const wrapper = mount(MessageBubble, {
      props: { contactName: "Priya", message: chatMessage({ direction: "OUTBOUND", status: "READ", fromBusinessApp: true, text: "Ready for pickup" }) },
    });
    expect(wrapper.get(".business-app").text()).toBe("Sent from the WhatsApp Business app");
    expect(wrapper.find(".business-app svg").exists()).toBe(true);
  });

  it("is not claimed for messages sent from the inbox", () => {
    const wrapper = mount(MessageBubble, { props: { contactName: "Priya", message: chatMessage({ direction: "OUTBOUND", status: "READ" }) } });
    expect(wrapper.find(".business-app").exists()).toBe(false);
  });
});
