import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import type { ContactSummaryFragment } from "../../graphql/generated/graphql.ts";
import { createTestRouter } from "../../testing/harness.ts";
import ContactCard from "./ContactCard.vue";

const priya: ContactSummaryFragment = {
  id: "c1",
  name: "Priya Sharma",
  company: "Sharma Textiles",
  email: null,
  whatsappNumber: "+919876543210",
  formattedWhatsappNumber: "+91 98765 43210",
  whatsappLink: "https://wa.me/919876543210",
};

async function mountCard(contact: ContactSummaryFragment) {
  const router = createTestRouter();
  await router.push("/contacts");
  return mount(ContactCard, { props: { contact }, global: { plugins: [router] } });
}

describe("ContactCard", () => {
  it("shows the number in international format as a link to the digits-only wa.me chat, opening in a new tab", async () => {
    const card = await mountCard(priya);
    const link = card.get('a[aria-label="Open chat with Priya Sharma in WhatsApp"]');
    expect(link.text()).toBe("+91 98765 43210");
    expect(link.attributes("href")).toBe("https://wa.me/919876543210");
    expect(link.attributes("href")).toMatch(/^https:\/\/wa\.me\/\d+$/);
    expect(link.attributes("target")).toBe("_blank");
    expect(link.attributes("rel")?.split(" ")).toEqual(expect.arrayContaining(["noopener", "noreferrer"]));
    expect(link.get("svg").attributes("aria-hidden")).toBe("true");
  });

  it("reads the number out as the chat link's description", async () => {
    const card = await mountCard(priya);
    const link = card.get('a[href^="https://wa.me/"]');
    const description = card.get(`[id="${link.attributes("aria-describedby")}"]`);
    expect(description.text()).toBe("+91 98765 43210");
  });

  it("shows no WhatsApp link when the contact has no number", async () => {
    const card = await mountCard({ ...priya, whatsappNumber: null, whatsappLink: null });
    expect(card.find('a[href^="https://wa.me/"]').exists()).toBe(false);
    expect(card.find("svg").exists()).toBe(false);
    expect(card.text()).toContain("No WhatsApp number");
  });

  it("links the name to the contact's page and shows the company", async () => {
    const card = await mountCard(priya);
    const nameLink = card.get("h2 a");
    expect(nameLink.text()).toBe("Priya Sharma");
    expect(nameLink.attributes("href")).toBe("/contacts/c1");
    expect(card.text()).toContain("Sharma Textiles");
  });
});
