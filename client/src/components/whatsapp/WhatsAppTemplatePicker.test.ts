import { flushPromises, mount } from "@vue/test-utils";
import urql from "@urql/vue";
import { describe, expect, it } from "vitest";
import { chatMessage } from "../../testing/fixtures.ts";
import { fakeGraphQLServer } from "../../testing/harness.ts";
import WhatsAppTemplatePicker from "./WhatsAppTemplatePicker.vue";

const template = (fields: Record<string, unknown>) => ({
  id: `t-${String(fields.name)}`,
  status: "APPROVED",
  category: "UTILITY",
  headerFormat: null,
  headerText: null,
  footer: null,
  buttons: [],
  parameterCount: 0,
  ...fields,
});
const TEMPLATES = {
  whatsappTemplates: [
    template({ name: "hello_world", language: "en_US", headerFormat: "TEXT", headerText: "Hello World", body: "Welcome!", footer: "Sample message", buttons: [{ type: "QUICK_REPLY", text: "Thanks" }] }),
    template({ name: "order_update", language: "en", body: "Hi {{1}}, your order {{2}} has shipped.", parameterCount: 2 }),
  ],
};
const SYNCED = { syncWhatsAppTemplates: { __typename: "MutationSyncWhatsAppTemplatesSuccess", sync: { count: 2, syncedAt: "2025-11-25T10:00:00.000Z" } } };

async function picker(sendAnswer: unknown) {
  const server = fakeGraphQLServer((operation) =>
    operation === "WhatsAppTemplates" ? TEMPLATES : operation === "SyncWhatsAppTemplates" ? SYNCED : { sendWhatsAppTemplate: sendAnswer },
  );
  const wrapper = mount(WhatsAppTemplatePicker, {
    props: { recipient: { phoneNumber: "98765 43210" } },
    global: { plugins: [[urql, server.client]] },
  });
  await flushPromises();
  await wrapper.get("select").setValue("order_update:en");
  return { wrapper, server };
}

const sent = {
  __typename: "SendWhatsAppSuccess",
  message: "Message sent successfully",
  messageId: "wamid.T1",
  queued: false,
  recipient: "+919876543210",
  phone: "+919876543210",
  whatsAppMessage: chatMessage({ direction: "OUTBOUND", type: "template", status: "SENT" }),
};

describe("WhatsAppTemplatePicker", () => {
  it("lists each template with its language and category, and a field per parameter", async () => {
    const { wrapper } = await picker(sent);
    expect(wrapper.findAll("option").map((option) => option.text())).toEqual(["hello_world (en_US) · utility", "order_update (en) · utility"]);
    expect(wrapper.findAll("input.parameter").map((input) => wrapper.get(`label[for="${input.attributes("id")}"]`).text())).toEqual(["Parameter 1", "Parameter 2"]);
  });

  it("previews the body with the parameters filled in as they are typed", async () => {
    const { wrapper } = await picker(sent);
    const [first, second] = wrapper.findAll("input.parameter");
    await first!.setValue("Ravi");
    expect(wrapper.get(".bubble").text()).toBe("Hi Ravi, your order {{2}} has shipped.");
    await second!.setValue("#BH-2041");
    expect(wrapper.get(".bubble").text()).toBe("Hi Ravi, your order #BH-2041 has shipped.");
  });

  it("sends the template with its language and parameters only once every parameter is filled", async () => {
    const { wrapper, server } = await picker(sent);
    const [first, second] = wrapper.findAll("input.parameter");
    await first!.setValue("Ravi");
    expect(wrapper.get('button[type="submit"]').attributes("disabled")).toBeDefined();
    await second!.setValue(" #BH-2041 ");
    await wrapper.get("form").trigger("submit");
    await flushPromises();
    const input = server.requests.find((request) => request.operationName === "SendWhatsAppTemplate")?.variables.input;
    expect(input).toMatchObject({ phoneNumber: "98765 43210", templateName: "order_update", languageCode: "en", bodyParameters: ["Ravi", "#BH-2041"] });
    expect(wrapper.emitted("sent")).toHaveLength(1);
  });

  it("shows the language and category, and previews a template's header, footer and buttons", async () => {
    const { wrapper } = await picker(sent);
    await wrapper.get("select").setValue("hello_world:en_US");
    expect(wrapper.get(".details").text()).toBe("Language en_US · Category utility");
    expect(wrapper.get(".header").text()).toBe("Hello World");
    expect(wrapper.get(".bubble").text()).toBe("Welcome!");
    expect(wrapper.get(".footer").text()).toBe("Sample message");
    expect(wrapper.findAll(".buttons li").map((item) => item.text())).toEqual(["Thanks"]);
  });

  it("narrows the list by a search, choosing the first match", async () => {
    const { wrapper } = await picker(sent);
    await wrapper.get('input[type="search"]').setValue("shipped");
    expect(wrapper.findAll("option").map((option) => option.text())).toEqual(["order_update (en) · utility"]);
    await wrapper.get('input[type="search"]').setValue("hello");
    expect((wrapper.get("select").element as HTMLSelectElement).value).toBe("hello_world:en_US");
    await wrapper.get('input[type="search"]').setValue("nothing like it");
    expect(wrapper.text()).toContain("No template matches");
  });

  it("Sync now asks the server to fetch the templates from Meta, then says how many there are", async () => {
    const { wrapper, server } = await picker(sent);
    await wrapper.get("button.sync").trigger("click");
    await flushPromises();
    expect(server.requests.map((request) => request.operationName)).toContain("SyncWhatsAppTemplates");
    expect(wrapper.get('[role="status"]').text()).toBe("Synced: 2 templates in WhatsApp Manager");
  });

  it("hands a refused number to the parent, which shows it by the number's field", async () => {
    const { wrapper } = await picker({ __typename: "InvalidPhoneNumberError", message: "Invalid phone number", reason: "Invalid phone number" });
    for (const input of wrapper.findAll("input.parameter")) await input.setValue("x");
    await wrapper.get("form").trigger("submit");
    await flushPromises();
    expect(wrapper.emitted("invalidRecipient")).toEqual([["Invalid phone number"]]);
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
  });
});
