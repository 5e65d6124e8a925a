import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { chatMessage } from "../../testing/fixtures.ts";
import MessageContent from "./MessageContent.vue";
import { describeMessage, mapLink, readablePreview } from "./messageContent.ts";

describe("describeMessage", () => {
  it("shows a text as its text", () => {
    expect(describeMessage(chatMessage({ text: "Hello\nthere" }))).toEqual({ kind: "text", text: "Hello\nthere" });
  });

  it("labels media readably, with the caption, since the file cannot be opened here", () => {
    expect(describeMessage(chatMessage({ type: "image", text: "The blue one", preview: "[Image] The blue one" }))).toEqual({
      kind: "media",
      icon: "📷",
      label: "Photo",
      caption: "The blue one",
    });
    expect(describeMessage(chatMessage({ type: "audio", text: null, preview: "[Voice message]" }))).toMatchObject({ label: "Voice message", icon: "🎤" });
    expect(describeMessage(chatMessage({ type: "audio", text: null, preview: "[Audio]" }))).toMatchObject({ label: "Audio" });
    expect(describeMessage(chatMessage({ type: "document", mediaFilename: "invoice-2041.pdf", text: null, preview: "[Document] invoice-2041.pdf" }))).toMatchObject({
      label: "invoice-2041.pdf",
    });
  });

  it("turns a location into a Google Maps link at its coordinates", () => {
    const body = describeMessage(
      chatMessage({ type: "location", latitude: 12.9716, longitude: 77.5946, locationName: "MG Road", locationAddress: "Bengaluru", preview: "[Location] MG Road" }),
    );
    expect(body).toEqual({ kind: "location", label: "MG Road", address: "Bengaluru", mapUrl: "https://www.google.com/maps?q=12.9716,77.5946" });
  });

  it("lists the names of shared contacts", () => {
    expect(describeMessage(chatMessage({ type: "contacts", text: "Asha Rao\nVikram Singh", preview: "[Contact] Asha Rao and 1 more" }))).toEqual({
      kind: "contacts",
      names: ["Asha Rao", "Vikram Singh"],
    });
  });

  it("marks a template with its name", () => {
    expect(describeMessage(chatMessage({ type: "template", templateName: "order_update", text: "Hi Ravi" }))).toEqual({
      kind: "template",
      name: "order_update",
      text: "Hi Ravi",
    });
  });

  it("says the server's summary for types it cannot show, such as orders and unsupported messages", () => {
    expect(describeMessage(chatMessage({ type: "order", text: null, preview: "[Order] 2 items" }))).toEqual({ kind: "notice", text: "🛒 Order: 2 items" });
    expect(describeMessage(chatMessage({ type: "unsupported", text: null, preview: "[Unsupported message] Message type unknown" }))).toEqual({
      kind: "notice",
      text: "[Unsupported message] Message type unknown",
    });
  });
});

describe("readablePreview", () => {
  it("says the server's [Label] previews the inbox's way and leaves texts alone", () => {
    expect(readablePreview("[Image] The blue one")).toBe("📷 Photo: The blue one");
    expect(readablePreview("[Location]")).toBe("📍 Location");
    expect(readablePreview("[maybe] a customer typed brackets")).toBe("[maybe] a customer typed brackets");
    expect(readablePreview(null)).toBe("");
  });
});

describe("MessageContent", () => {
  it("opens a location in Google Maps in a new tab", () => {
    const wrapper = mount(MessageContent, {
      props: { message: chatMessage({ type: "location", latitude: 28.6139, longitude: 77.209, locationName: "India Gate", preview: "[Location] India Gate" }) },
    });
    const link = wrapper.get("a");
    expect(link.attributes("href")).toBe(mapLink(28.6139, 77.209));
    expect(link.attributes("target")).toBe("_blank");
    expect(link.attributes("rel")).toContain("noopener");
    expect(link.text()).toContain("India Gate");
  });
});
