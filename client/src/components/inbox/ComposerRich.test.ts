import urql from "@urql/vue";
import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { fakeGraphQLServer } from "../../testing/harness.ts";
import ComposerRich from "./ComposerRich.vue";

let mounted: VueWrapper | null = null;
afterEach(() => {
  mounted?.unmount();
  mounted = null;
});

/** The rich-message form, its sends answered as the server refuses them: by field. */
function richForm(kind: "buttons" | "list", fieldErrors: Array<{ field: string; message: string }>) {
  const server = fakeGraphQLServer(() => ({ sendWhatsAppInteractive: { __typename: "ValidationError", message: fieldErrors[0]!.message, fieldErrors } }));
  mounted = mount(ComposerRich, {
    props: { kind, recipient: { phoneNumber: "+919876543210" } },
    attachTo: document.body,
    global: { plugins: [[urql, server.client]] },
  });
  return { wrapper: mounted, requests: server.requests };
}

/** The control a label names, as a person finds it. */
function field(wrapper: VueWrapper, label: string) {
  const labels = wrapper.findAll("label").filter((element) => element.text() === label);
  expect(labels, `one field labelled ${label}`).toHaveLength(1);
  return wrapper.get<HTMLInputElement>(`#${CSS.escape(labels[0]!.attributes("for")!)}`);
}

const labels = (wrapper: VueWrapper) => wrapper.findAll("label").map((label) => label.text());
const button = (wrapper: VueWrapper, text: string) => wrapper.findAll("button").find((element) => element.text() === text);

describe("the reply buttons and list options of a rich message", () => {
  it("edits reply buttons one field each, adds them up to three, and shows a refusal under the button it names", async () => {
    const { wrapper, requests } = richForm("buttons", [{ field: "buttons.1.title", message: "Button 2's title must be at most 20 characters (it has 21)" }]);
    expect(labels(wrapper)).toEqual(["Header (optional)", "Message", "Footer (optional)", "Button 1", "Button 2"]);
    await field(wrapper, "Message").setValue("Which day suits you?");
    await field(wrapper, "Button 1").setValue("Today");
    expect(wrapper.text()).toContain("5 / 20");

    await button(wrapper, "Add a button")!.trigger("click");
    expect(labels(wrapper).filter((label) => label.startsWith("Button"))).toEqual(["Button 1", "Button 2", "Button 3"]);
    expect(button(wrapper, "Add a button"), "no fourth button: WhatsApp allows three").toBeUndefined();
    expect(wrapper.findAll("fieldset")).toHaveLength(0);

    await field(wrapper, "Button 2").setValue("Tomorrow evening at 8");
    await wrapper.get("form").trigger("submit");
    await flushPromises();
    const input = requests[0]!.variables.input as { buttons: Array<{ title: string }> };
    expect(input.buttons.map((sent) => sent.title)).toEqual(["Today", "Tomorrow evening at 8"]);
    expect(field(wrapper, "Button 2").attributes("aria-invalid")).toBe("true");
    expect(field(wrapper, "Button 1").attributes("aria-invalid")).toBeUndefined();
    expect(wrapper.text()).toContain("Button 2's title must be at most 20 characters (it has 21)");
    // The first field refused takes the focus, to be corrected from the keyboard.
    expect(document.activeElement).toBe(field(wrapper, "Button 2").element);
  });

  it("edits each list option as a titled group of a title and a description, and shows the list's own refusal", async () => {
    const { wrapper, requests } = richForm("list", [
      { field: "list.sections.0.rows.1.description", message: "Option 2's description must be at most 72 characters" },
      { field: "list.sections", message: "Give every option a title" },
    ]);
    expect(wrapper.findAll("legend").map((legend) => legend.text())).toEqual(["Option 1"]);
    await field(wrapper, "Message").setValue("What would you like?");
    await field(wrapper, "List button").setValue("Services");
    await field(wrapper, "Title").setValue("Haircut");
    await field(wrapper, "Description (optional)").setValue("30 minutes");
    expect(wrapper.text()).toContain("7 / 24");

    await button(wrapper, "Add an option")!.trigger("click");
    expect(wrapper.findAll("legend").map((legend) => legend.text())).toEqual(["Option 1", "Option 2"]);
    const second = wrapper.findAll("fieldset")[1]!;
    await second.findAll("input")[0]!.setValue("Manicure");
    await second.findAll("input")[1]!.setValue("d".repeat(73));
    await wrapper.get("form").trigger("submit");
    await flushPromises();

    const input = requests[0]!.variables.input as { list: { sections: Array<{ rows: Array<{ title: string; description: string | null }> }> } };
    expect(input.list.sections[0]!.rows).toMatchObject([
      { title: "Haircut", description: "30 minutes" },
      { title: "Manicure", description: "d".repeat(73) },
    ]);
    expect(second.findAll("input")[1]!.attributes("aria-invalid")).toBe("true");
    expect(second.text()).toContain("Option 2's description must be at most 72 characters");
    expect(wrapper.get("[role=alert]").text()).toBe("Give every option a title");
  });
});
