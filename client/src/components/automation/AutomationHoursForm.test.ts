import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import type { AutoReplySettingsFieldsFragment } from "../../graphql/generated/graphql.ts";
import AutomationHoursForm from "./AutomationHoursForm.vue";

function settings(overrides: Partial<AutoReplySettingsFieldsFragment> = {}): AutoReplySettingsFieldsFragment {
  return { timeZone: "Asia/Kolkata", businessHours: null, aiRepliesEnabled: false, aiAvailable: false, openNow: true, agentActiveMinutes: 30, ...overrides };
}

const mountForm = (value: AutoReplySettingsFieldsFragment) =>
  mount(AutomationHoursForm, { props: { settings: value, errors: {}, formError: null, saving: false, saved: false }, attachTo: document.body });

describe("AutomationHoursForm", () => {
  it("shows the hours per day, closed days as Closed, and midnight at the end of a day as 00:00", () => {
    const form = mountForm(settings({ businessHours: [{ day: "MON", opens: "18:00", closes: "24:00" }], openNow: false }));
    expect(form.get('[aria-label="Monday opens"]').element).toHaveProperty("value", "18:00");
    expect(form.get('[aria-label="Monday closes"]').element).toHaveProperty("value", "00:00");
    expect(form.text()).toContain("Closed");
    expect(form.get('[role="status"]').text()).toBe("The business is closed now.");
  });

  it("sends midnight back as 24:00 and nothing for days left closed", async () => {
    const form = mountForm(settings({ businessHours: [{ day: "SAT", opens: "18:00", closes: "24:00" }] }));
    await form.get("form").trigger("submit");
    expect(form.emitted("save")).toEqual([[{ timeZone: "Asia/Kolkata", businessHours: [{ day: "SAT", opens: "18:00", closes: "24:00" }] }]]);
  });

  it("sends null for always open, and offers a usual week when switching it off", async () => {
    const form = mountForm(settings());
    await form.get("form").trigger("submit");
    expect(form.emitted("save")![0]).toEqual([{ timeZone: "Asia/Kolkata", businessHours: null }]);
    await form.get('input[type="checkbox"]').setValue(false);
    expect(form.findAll('input[type="time"]')).toHaveLength(12);
    expect(form.text()).toContain("Sunday");
  });
});
