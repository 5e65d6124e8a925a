import { flushPromises, mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import type { CampaignFieldsFragment } from "../../graphql/generated/graphql.ts";
import CampaignReport from "./CampaignReport.vue";

const finished: CampaignFieldsFragment = {
  id: "c 1",
  name: "Diwali offer",
  templateName: "festival_offer",
  languageCode: "en",
  templateCategory: "MARKETING",
  optedInOnly: false,
  status: "COMPLETED",
  pausedReason: null,
  scheduledAt: null,
  startedAt: "2026-12-06T10:00:00.000Z",
  completedAt: "2026-12-06T10:05:00.000Z",
  createdAt: "2026-12-06T09:00:00.000Z",
  total: 200,
  skipped: 0,
  exclusions: [],
  queued: 0,
  sent: 190,
  delivered: 180,
  read: 95,
  replied: 19,
  failed: 10,
  cancelled: 0,
  failures: [
    { code: 131026, title: "Message undeliverable", count: 7 },
    { code: 131049, title: "Not delivered to keep engagement healthy", count: 3 },
  ],
  estimatedCost: 172.62,
  currency: "INR",
  cost: { currency: "INR", amount: 153.45, billableMessages: 180, unpricedMessages: 0, lines: [{ category: "marketing", country: "IN", messages: 180, rate: 0.8525, amount: 153.45 }] },
};

async function opened(campaign: CampaignFieldsFragment) {
  const wrapper = mount(CampaignReport, { props: { campaign }, attachTo: document.body });
  const details = wrapper.get("details");
  (details.element as HTMLDetailsElement).open = true;
  await details.trigger("toggle");
  await flushPromises();
  return wrapper;
}

/** A table's rows as their cells' text. */
const rowsOf = (wrapper: Awaited<ReturnType<typeof opened>>, caption: string) =>
  wrapper
    .findAll("table")
    .find((table) => table.get("caption").text() === caption)!
    .findAll("tbody tr")
    .map((row) => row.findAll("th, td").map((cell) => cell.text()));

describe("CampaignReport", () => {
  it("is closed until asked for, then shows the funnel, the failures by reason, the cost and the CSV", async () => {
    const closed = mount(CampaignReport, { props: { campaign: finished } });
    expect(closed.find("table").exists()).toBe(false);

    const wrapper = await opened(finished);
    expect(rowsOf(wrapper, "Recipients at each stage")).toEqual([
      ["Sent", "190", "100%"],
      ["Delivered", "180", "94.7%"],
      ["Read", "95", "50%"],
      ["Replied within 72 h", "19", "10%"],
    ]);
    expect(rowsOf(wrapper, "Failed recipients by reason")).toEqual([
      ["Message undeliverable (131026)", "7"],
      ["Not delivered to keep engagement healthy (131049)", "3"],
    ]);
    expect(wrapper.text()).toContain("Estimated when it started: ₹172.62");
    expect(wrapper.text()).toContain("₹153.45 for 180 billable messages");
    const csv = wrapper.get("a[download]");
    expect(csv.text()).toBe("Download CSV");
    expect(csv.attributes("href")).toBe("/api/campaigns/c%201/recipients.csv");
  });

  it("follows the campaign as statuses arrive", async () => {
    const wrapper = await opened({ ...finished, status: "RUNNING", completedAt: null, read: 10, replied: 0, failed: 0, failures: [] });
    expect(rowsOf(wrapper, "Recipients at each stage")[2]).toEqual(["Read", "10", "5.3%"]);
    expect(wrapper.text()).toContain("No recipient failed.");
    await wrapper.setProps({ campaign: { ...finished, read: 120 } });
    expect(rowsOf(wrapper, "Recipients at each stage")[2]).toEqual(["Read", "120", "63.2%"]);
    expect(rowsOf(wrapper, "Failed recipients by reason")).toHaveLength(2);
  });
});
