import { mount, type VueWrapper } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { contactFormValues, type ContactField } from "../../composables/useContactForm.ts";
import type { FieldErrorMap } from "../../composables/useFieldErrors.ts";
import { createTestRouter } from "../../testing/harness.ts";
import ContactForm from "./ContactForm.vue";

function mountForm(props: { errors?: FieldErrorMap<ContactField>; saving?: boolean } = {}) {
  return mount(ContactForm, {
    props: {
      initial: contactFormValues(),
      errors: props.errors ?? {},
      saving: props.saving ?? false,
      cancelTo: "/contacts",
    },
    global: { plugins: [createTestRouter()] },
  });
}

/** The control a visible label names, the way a person (or a browser test) finds it. */
function byLabel(form: VueWrapper, text: string) {
  const label = form.findAll("label").find((candidate) => candidate.text() === text);
  if (!label) throw new Error(`no label "${text}"`);
  return form.get(`[id="${label.attributes("for")}"]`);
}

describe("ContactForm", () => {
  it("labels its fields Name, WhatsApp number, Email, Company and Notes", () => {
    const form = mountForm();
    expect(form.findAll("label").map((label) => label.text())).toEqual([
      "Name",
      "WhatsApp number",
      "Email",
      "Company",
      "Notes",
    ]);
  });

  it("shows 'Invalid phone number' under the WhatsApp number field, marked invalid and linked to it", () => {
    const form = mountForm({ errors: { whatsappNumber: "Invalid phone number" } });
    const number = byLabel(form, "WhatsApp number");
    expect(number.attributes("aria-invalid")).toBe("true");
    const describedBy = number.attributes("aria-describedby")?.split(" ") ?? [];
    const texts = describedBy.map((id) => form.get(`[id="${id}"]`).text());
    expect(texts).toContain("Invalid phone number");
    expect(texts).toContain("Any format: 98765 43210 or +91 98765 43210");
    expect(byLabel(form, "Name").attributes("aria-invalid")).toBeUndefined();
  });

  it("describes the number field with its format hint when nothing is wrong", () => {
    const form = mountForm();
    const number = byLabel(form, "WhatsApp number");
    expect(number.attributes("aria-invalid")).toBeUndefined();
    expect(form.get(`[id="${number.attributes("aria-describedby")}"]`).text()).toBe(
      "Any format: 98765 43210 or +91 98765 43210",
    );
  });

  it("emits the typed values when submitted", async () => {
    const form = mountForm();
    await byLabel(form, "Name").setValue("Priya Sharma");
    await byLabel(form, "WhatsApp number").setValue("98765 43210");
    await byLabel(form, "Email").setValue("priya@example.in");
    await byLabel(form, "Company").setValue("Sharma Textiles");
    await byLabel(form, "Notes").setValue("Prefers Hindi");
    await form.get("form").trigger("submit");
    expect(form.emitted("submit")).toEqual([
      [
        {
          name: "Priya Sharma",
          whatsappNumber: "98765 43210",
          email: "priya@example.in",
          company: "Sharma Textiles",
          notes: "Prefers Hindi",
        },
      ],
    ]);
  });

  it("shows a disabled 'Saving…' button while saving", () => {
    const saving = mountForm({ saving: true }).get('button[type="submit"]');
    expect(saving.text()).toBe("Saving…");
    expect(saving.attributes("disabled")).toBeDefined();
    const idle = mountForm().get('button[type="submit"]');
    expect(idle.text()).toBe("Save");
    expect(idle.attributes("disabled")).toBeUndefined();
  });

  it("keeps what was typed when the server refuses it", async () => {
    const form = mountForm();
    await byLabel(form, "WhatsApp number").setValue("12345");
    await form.setProps({ errors: { whatsappNumber: "Invalid phone number" } });
    expect((byLabel(form, "WhatsApp number").element as HTMLInputElement).value).toBe("12345");
  });
});
