import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import type { CampaignFieldsFragment } from "../../graphql/generated/graphql.ts";
import CampaignCard from "./CampaignCard.vue";

const running: CampaignFieldsFragment = {
  id: "c1",
  name: "Diwali offer",
  templateName: "festival_offer",
  languageCode: "en",
  templateCategory: "MARKETING",
  optedInOnly: false,
  status: "RUNNING",
  pausedReason: null,
  scheduledAt: null,
  startedAt: "2026-12-06T10:00:00.000Z",
  completedAt: null,
  createdAt: "2026-12-06T09:00:00.000Z",
  total: 200,
  skipped: 3,
  exclusions: [{ reason: "OPTED_OUT", count: 3 }],
  queued: 100,
  sent: 90,
  delivered: 80,
  read: 40,
  replied: 5,
  failed: 10,
  cancelled: 0,
  failures: [{ code: 131026, title: "Message undeliverable", count: 10 }],
  estimatedCost: 172.62,
  currency: "INR",
  cost: { currency: "INR", amount: 68.2, billableMessages: 80, unpricedMessages: 0, lines: [{ category: "marketing", country: "IN", messages: 80, rate: 0.8525, amount: 68.2 }] },
};

const card = (campaign: Partial<CampaignFieldsFragment>, admin = true) =>
  // The preview asks the server: its own test gives it an answer.
  mount(CampaignCard, { props: { campaign: { ...running, ...campaign }, admin }, attachTo: document.body, global: { stubs: { CampaignPreview: true } } });

describe("CampaignCard", () => {
  it("shows progress as sent and failed of the recipients, what was left out and why it failed", () => {
    const wrapper = card({});
    expect(wrapper.get('[role="progressbar"]').attributes("aria-valuenow")).toBe("50");
    expect(wrapper.text()).toContain("Left out: 3 opted out.");
    expect(wrapper.text()).toContain("10 × Message undeliverable (131026)");
  });

  it("offers admins what the status allows, and agents nothing", async () => {
    const buttons = (wrapper: ReturnType<typeof card>) => wrapper.findAll("button").map((button) => button.text());
    expect(buttons(card({}))).toEqual(["Pause", "Cancel campaign"]);
    expect(buttons(card({ status: "PAUSED", pausedReason: "Paused automatically: WhatsApp flagged the quality of +15550783881" }))).toEqual(["Resume", "Cancel campaign"]);
    expect(buttons(card({ status: "DRAFT" }))).toEqual(["Start", "Cancel campaign"]);
    expect(buttons(card({ status: "COMPLETED" }))).toEqual([]);
    expect(buttons(card({}, false))).toEqual([]);
    const paused = card({ status: "PAUSED", pausedReason: "Paused automatically: WhatsApp flagged the quality of +15550783881" });
    expect(paused.get('[role="status"]').text()).toMatch(/flagged the quality/);
    await paused.findAll("button")[0]!.trigger("click");
    expect(paused.emitted("act")).toEqual([["resume"]]);
  });
});
