import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { defineComponent, h } from "vue";
import FormField from "./FormField.vue";

/** A field around a plain input, as the forms use it: `<input v-bind="control">`. */
function field(props: InstanceType<typeof FormField>["$props"], slots: { hint?: () => unknown } = {}) {
  const Form = defineComponent(() => () => h(FormField, props, { default: (control: Record<string, unknown>) => h("input", control), ...slots }));
  return mount(Form);
}

/** The texts an input's aria-describedby points at, in order: what a screen reader reads after the label. */
function description(wrapper: ReturnType<typeof field>) {
  const ids = wrapper.get("input").attributes("aria-describedby")?.split(" ") ?? [];
  return ids.map((id) => wrapper.get(`[id="${id}"]`).text());
}

describe("FormField", () => {
  it("ties its label to the control it wraps", () => {
    const wrapper = field({ label: "Token name" });
    const input = wrapper.get("input");
    expect(wrapper.get("label").attributes("for")).toBe(input.attributes("id"));
    expect(input.attributes("aria-invalid")).toBeUndefined();
    expect(input.attributes("aria-describedby")).toBeUndefined();
  });

  it("describes the control by its hint, then by its error, and marks it invalid while it has one", async () => {
    const wrapper = field({ label: "Keywords", hint: "Separate them with commas.", error: "Give at least one keyword." });
    expect(wrapper.get("input").attributes("aria-invalid")).toBe("true");
    expect(description(wrapper)).toEqual(["Separate them with commas.", "Give at least one keyword."]);
    expect(wrapper.get(".field-error").text()).toBe("Give at least one keyword.");
  });

  it("takes a hint with markup from its hint slot, and can be invalid without a message of its own", () => {
    const wrapper = field({ label: "Message", invalid: true }, { hint: () => h("span", { class: "counter" }, "4100 / 4096") });
    expect(wrapper.get("input").attributes("aria-invalid")).toBe("true");
    expect(description(wrapper)).toEqual(["4100 / 4096"]);
    expect(wrapper.find(".field-error").exists()).toBe(false);
  });

  it("gives the control the id the form asks for, so that the form can focus it", () => {
    const wrapper = field({ label: "From", controlId: "report-from" });
    expect(wrapper.get("input").attributes("id")).toBe("report-from");
    expect(wrapper.get("label").attributes("for")).toBe("report-from");
  });
});
