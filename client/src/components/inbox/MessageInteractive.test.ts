import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { idFor, interactiveOf } from "../../composables/useRichMessage.ts";
import { chatMessage } from "../../testing/fixtures.ts";
import MessageContent from "./MessageContent.vue";

const buttons = {
  kind: "BUTTONS" as const,
  header: "Your table",
  body: "Confirm 8 pm?",
  footer: "Café Mumbai",
  buttons: [
    { id: "confirm", title: "Confirm" },
    { id: "reschedule", title: "Reschedule" },
  ],
  list: null,
  ctaUrl: null,
  flow: null,
};

describe("interactive messages in a bubble", () => {
  it("draws header, text, footer and the reply buttons as sent", () => {
    const bubble = mount(MessageContent, { props: { message: chatMessage({ direction: "OUTBOUND", type: "interactive", interactive: buttons }) } });
    expect(bubble.find(".header").text()).toBe("Your table");
    expect(bubble.find(".footer").text()).toBe("Café Mumbai");
    expect(bubble.findAll("[aria-label='Reply buttons'] li").map((item) => item.text())).toEqual(["↩ Confirm", "↩ Reschedule"]);
  });

  it("draws a list's button and its options with descriptions", () => {
    const list = { ...buttons, kind: "LIST" as const, buttons: null, list: { button: "Services", sections: [{ title: "Hair", rows: [{ id: "cut", title: "Haircut", description: "30 minutes" }] }] } };
    const bubble = mount(MessageContent, { props: { message: chatMessage({ direction: "OUTBOUND", type: "interactive", interactive: list }) } });
    expect(bubble.text()).toContain("☰ Services");
    expect(bubble.find(".rows li").text()).toBe("Haircut30 minutes");
  });

  it("shows a submitted Flow as a table of its fields", () => {
    const answer = {
      kind: "FORM" as const,
      id: null,
      title: null,
      description: null,
      formName: "flow",
      fields: [
        { key: "screen_0_Full_name_0", label: "Full name", value: "Meera Shah" },
        { key: "guests", label: "Guests", value: "4" },
      ],
      address: null,
      orderItems: null,
      orderTotal: null,
      orderCurrency: null,
      callsAllowed: null,
      callsAllowedUntil: null,
    };
    const bubble = mount(MessageContent, { props: { message: chatMessage({ type: "interactive", answer }) } });
    expect(bubble.text()).toContain("Form submitted");
    expect(bubble.findAll("tr").map((row) => [row.find("th").text(), row.find("td").text()])).toEqual([
      ["Full name", "Meera Shah"],
      ["Guests", "4"],
    ]);
  });
});

describe("the composer's rich drafts", () => {
  it("makes button ids from their titles and previews only the filled buttons", () => {
    expect(idFor("Re-schedule now", 0)).toBe("re_schedule_now");
    expect(idFor("  ", 2)).toBe("option_3");
    const draft = { header: "", body: "Hi", footer: "", buttons: ["Yes", "", "No"], buttonIds: {} } as Parameters<typeof interactiveOf>[1];
    expect(interactiveOf("buttons", draft)?.buttons).toEqual([
      { id: "yes", title: "Yes" },
      { id: "no", title: "No" },
    ]);
  });
});
