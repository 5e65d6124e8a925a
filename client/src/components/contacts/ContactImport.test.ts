import { flushPromises, mount } from "@vue/test-utils";
import urql from "@urql/vue";
import { describe, expect, it } from "vitest";
import { fakeGraphQLServer } from "../../testing/harness.ts";
import ContactImport from "./ContactImport.vue";

const report = (fields: Record<string, unknown>) => ({
  __typename: "MutationImportContactsSuccess",
  report: { imported: false, dryRun: false, rows: 2, created: 1, updated: 1, customFields: ["city"], refused: [], ...fields },
});

function mounted(answer: (variables: Record<string, unknown>) => unknown) {
  const server = fakeGraphQLServer((operation, variables) =>
    operation === "WorkflowLabels"
      ? { labels: [{ __typename: "Label", id: "label-1", name: "Diwali list", color: "#ff9933" }] }
      : { importContacts: answer(variables) },
  );
  const wrapper = mount(ContactImport, { global: { plugins: [[urql, server.client]] } });
  return { wrapper, server };
}

describe("ContactImport", () => {
  it("asks for rows before sending anything", async () => {
    const { wrapper, server } = mounted(() => report({}));
    await flushPromises();
    await wrapper.get("form").trigger("submit");
    await flushPromises();
    expect(wrapper.text()).toContain("Choose a CSV file or paste its rows");
    expect(wrapper.get("textarea").attributes("aria-invalid")).toBe("true");
    expect(server.requests.filter((request) => request.operationName === "ImportContacts")).toEqual([]);
  });

  it("checks the file with the chosen labels without importing, then imports and says so", async () => {
    let imported = false;
    const { wrapper, server } = mounted((variables) => {
      const input = variables.input as { dryRun: boolean };
      imported = !input.dryRun;
      return report({ imported, dryRun: input.dryRun });
    });
    await flushPromises();
    await wrapper.get("textarea").setValue("name,phone,city\nAsha,9876543001,Pune\nVijay,9876543002,Goa");
    await wrapper.get('input[type="checkbox"]').setValue(true);
    await wrapper.findAll("button").find((button) => button.text() === "Check file")!.trigger("click");
    await flushPromises();
    expect(server.requests.at(-1)!.variables).toEqual({ input: { csv: expect.stringContaining("Asha"), labelIds: ["label-1"], dryRun: true } });
    expect(wrapper.get('[role="status"]').text()).toBe("The file is ready: 2 contacts, 1 new, 1 updated (a number that was already a contact's). Nothing is stored until you import.");
    expect(wrapper.emitted("imported")).toBeUndefined();

    await wrapper.get("form").trigger("submit");
    await flushPromises();
    expect(wrapper.get('[role="status"]').text()).toBe("Imported 2 contacts: 1 new, 1 updated (a number that was already a contact's).");
    expect(wrapper.emitted("imported")).toHaveLength(1);
  });

  it("shows a refused header under the rows and another workspace's label under the labels", async () => {
    const { wrapper } = mounted(() => ({
      __typename: "ValidationError",
      message: "…",
      fieldErrors: [
        { field: "csv", message: 'Check the header: the first line must be a header naming the columns, with at least "name" and "phone"' },
        { field: "labelIds", message: "Some of these labels do not exist" },
      ],
    }));
    await flushPromises();
    await wrapper.get("textarea").setValue("Asha,9876543001");
    await wrapper.get("form").trigger("submit");
    await flushPromises();
    expect(wrapper.get("textarea").attributes("aria-invalid")).toBe("true");
    expect(wrapper.text()).toContain('with at least "name" and "phone"');
    expect(wrapper.get("fieldset").text()).toContain("Some of these labels do not exist");
  });
});
