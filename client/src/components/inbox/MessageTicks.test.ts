import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import type { MessageStatus } from "../../graphql/generated/graphql.ts";
import MessageTicks from "./MessageTicks.vue";

const ticks = (status: MessageStatus, errorTitle: string | null = null, errorCode: number | null = null) =>
  mount(MessageTicks, { props: { status, errorTitle, errorCode }, attachTo: document.body });

describe("MessageTicks", () => {
  it.each([
    ["PENDING", "Sending", "clock"],
    ["QUEUED", "Queued", "clock"],
    ["SENT", "Sent", "single"],
    ["DELIVERED", "Delivered", "double"],
    ["READ", "Read", "read"],
    ["PLAYED", "Played", "read"],
  ] as const)("shows %s as an image named %s drawn as a %s mark", (status, label, mark) => {
    const wrapper = ticks(status);
    const image = wrapper.get('[role="img"]');
    expect(image.attributes("aria-label")).toBe(label);
    expect(image.classes()).toContain(`ticks--${mark}`);
  });

  it("draws delivered and read as the same double tick, read in blue, and sent as a single one", () => {
    const double = ticks("DELIVERED").get("path").attributes("d");
    expect(ticks("READ").get("path").attributes("d")).toBe(double);
    expect(ticks("SENT").get("path").attributes("d")).not.toBe(double);
    expect(ticks("READ").get(".ticks").classes()).toContain("ticks--read");
    expect(ticks("DELIVERED").get(".ticks").classes()).not.toContain("ticks--read");
  });

  it("names a failure with Meta's reason and code, and keeps no tooltip that would cover the bubble", () => {
    const wrapper = ticks("FAILED", "Message undeliverable", 131026);
    expect(wrapper.get('[role="img"]').attributes("aria-label")).toBe("Failed: Message undeliverable (131026)");
    expect(wrapper.find(".tip").exists()).toBe(false);
  });

  it("still says why a failure has no title or code", () => {
    expect(ticks("FAILED").get('[role="img"]').attributes("aria-label")).toBe("Failed: Unknown error");
  });

  it("shows no ticks on a customer's message", () => {
    expect(ticks("RECEIVED").find('[role="img"]').exists()).toBe(false);
  });
});
