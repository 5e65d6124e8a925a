import { flushPromises, mount } from "@vue/test-utils";
import urql from "@urql/vue";
import { describe, expect, it } from "vitest";
import { fakeGraphQLServer } from "../../testing/harness.ts";
import CampaignPreview from "./CampaignPreview.vue";

const message = (n: number, notBefore: string | null = null) => ({
  contactId: `c${n}`,
  contactName: `Asha ${n}`,
  to: `+91 98765 4321${n}`,
  text: `Hi Asha, enjoy 20% off this Diwali!`,
  notBefore,
});

function previewAnswer(variables: Record<string, unknown>) {
  const searching = typeof variables.search === "string";
  return {
    campaignPreview: {
      __typename: "QueryCampaignPreviewSuccess",
      preview: {
        recipients: 3000,
        skipped: 4,
        exclusions: [
          { reason: "OPTED_OUT", count: 3 },
          { reason: "BLOCKED", count: 1 },
        ],
        estimatedCost: 2589.3,
        currency: "INR",
        matching: searching ? 1 : 3000,
        messages: searching ? [message(7)] : [1, 2, 3, 4, 5].map((n) => message(n)),
        limit: {
          tier: "TIER_2K",
          limit: 2000,
          usedLast24h: 200,
          newCustomers: 3000,
          room: 1800,
          verdict: "SPLIT",
          summary: "Over the messaging limit, so split over 2 days: 1,800 now, then 1,200 a day later each (200 of 2,000 new customers in 24 h already reached).",
          batches: [
            { count: 1800, notBefore: "2026-12-06T14:05:00.000Z" },
            { count: 1200, notBefore: "2026-12-07T14:35:00.000Z" },
          ],
        },
      },
    },
  };
}

describe("CampaignPreview", () => {
  it("shows the audience after exclusions, the cost, the limit's verdict and the rendered messages; searches", async () => {
    const server = fakeGraphQLServer((_operation, variables) => previewAnswer(variables));
    const wrapper = mount(CampaignPreview, { props: { campaignId: "c1", status: "DRAFT" }, global: { plugins: [[urql, server.client]] } });
    await flushPromises();
    const text = wrapper.text();
    expect(text).toContain("3,000 recipients will get the message; 4 left out.");
    expect(wrapper.get('[aria-label="Left out"]').text()).toMatch(/3 opted out\s*1 blocked/);
    expect(text).toMatch(/Estimated cost: .*2,589\.30/);
    expect(wrapper.get('[role="status"]').text()).toContain("Split over days");
    expect(wrapper.get('[aria-label="Sending days"]').findAll("li").map((item) => item.text())).toEqual(["1,800 now", expect.stringMatching(/^1,200 from /)]);
    expect(wrapper.findAll(".bubble")).toHaveLength(5);
    expect(text).toContain("1–5 of 3,000");

    await wrapper.get('input[type="search"]').setValue("asha 7");
    await flushPromises();
    expect(server.requests.at(-1)?.variables).toMatchObject({ id: "c1", search: "asha 7", offset: 0 });
    expect(wrapper.findAll(".bubble")).toHaveLength(1);
    expect(wrapper.text()).toContain("Asha 7");
  });
});
