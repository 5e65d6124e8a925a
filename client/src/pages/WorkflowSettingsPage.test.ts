import urql from "@urql/vue";
import { flushPromises, mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { createTestRouter, fakeGraphQLServer } from "../testing/harness.ts";
import WorkflowSettingsPage from "./WorkflowSettingsPage.vue";

/** The page against a fake server that refuses a second button's title, as the real one does. */
async function page() {
  const server = fakeGraphQLServer((operation, variables) => {
    if (operation === "WorkflowCannedResponses") return { cannedResponses: [] };
    if (operation === "WorkflowLabels") return { labels: [] };
    const input = variables.input as { shortcut: string; body: string; buttons: Array<{ id: string; title: string }> };
    if (input.buttons.some((button) => [...button.title].length > 20)) {
      return { result: { __typename: "ValidationError", message: "too long", fieldErrors: [{ field: "buttons.1.title", message: "Button 2's title must be at most 20 characters (it has 27)" }] } };
    }
    return { result: { __typename: "MutationCreateCannedResponseSuccess", item: { __typename: "CannedResponse", id: "c1", ...input, buttons: input.buttons.map((button) => ({ __typename: "ReplyButton", ...button })) } } };
  });
  const wrapper = mount(WorkflowSettingsPage, { attachTo: document.body, global: { plugins: [[urql, server.client], createTestRouter()] } });
  await flushPromises();
  return { wrapper, server };
}

describe("the canned responses' buttons", () => {
  it("adds up to three, names each refusal under its button, and saves them with ids made from their titles", async () => {
    const { wrapper, server } = await page();
    const canned = wrapper.get('section[aria-labelledby="canned-title"]');
    await canned.get("input").setValue("visit");
    await canned.get("textarea").setValue("Your visit is tomorrow at 10.");
    const addButton = () => canned.findAll("button").find((button) => button.text() === "Add a button");
    for (let count = 0; count < 3; count++) await addButton()!.trigger("click");
    expect(addButton()).toBeUndefined();
    await canned.get('button[aria-label="Remove button 3"]').trigger("click");
    const [first, second] = canned.findAll(".button-row input");
    await first!.setValue("Confirm");
    await second!.setValue("Reschedule to another day");
    await canned.get("form").trigger("submit");
    await flushPromises();
    expect(canned.text()).toContain("Button 2's title must be at most 20 characters (it has 27)");
    expect(second!.attributes("aria-invalid")).toBe("true");

    await second!.setValue("Reschedule");
    await canned.get("form").trigger("submit");
    await flushPromises();
    const saved = server.requests.filter((request) => request.operationName === "CreateCannedResponse").at(-1);
    expect(saved?.variables.input).toEqual({
      shortcut: "visit",
      body: "Your visit is tomorrow at 10.",
      buttons: [
        { id: "confirm", title: "Confirm" },
        { id: "reschedule", title: "Reschedule" },
      ],
    });
    expect(canned.get('[aria-label="Buttons of /visit"]').text()).toContain("Reschedule");
  });
});
