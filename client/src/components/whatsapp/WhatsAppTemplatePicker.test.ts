import { flushPromises, mount } from "@vue/test-utils";
import urql from "@urql/vue";
import { describe, expect, it } from "vitest";
import { chatMessage } from "../../testing/fixtures.ts";
import { fakeGraphQLServer } from "../../testing/harness.ts";
import WhatsAppTemplatePicker from "./WhatsAppTemplatePicker.vue";

const TEMPLATES = {
  whatsappTemplates: [
    { name: "hello_world", language: "en_US", category: "UTILITY", body: "Welcome!", parameterCount: 0 },
    { name: "order_update", language: "en", category: "UTILITY", body: "Hi {{1}}, your order {{2}} has shipped.", parameterCount: 2 },
  ],
};

async function picker(sendAnswer: unknown) {
  const server = fakeGraphQLServer((operation) => (operation === "WhatsAppTemplates" ? TEMPLATES : { sendWhatsAppTemplate: sendAnswer }));
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
    expect(wrapper.findAll("input").map((input) => wrapper.get(`label[for="${input.attributes("id")}"]`).text())).toEqual(["Parameter 1", "Parameter 2"]);
  });

  it("previews the body with the parameters filled in as they are typed", async () => {
    const { wrapper } = await picker(sent);
    const [first, second] = wrapper.findAll("input");
    await first!.setValue("Ravi");
    expect(wrapper.get(".bubble").text()).toBe("Hi Ravi, your order {{2}} has shipped.");
    await second!.setValue("#BH-2041");
    expect(wrapper.get(".bubble").text()).toBe("Hi Ravi, your order #BH-2041 has shipped.");
  });

  it("sends the template with its language and parameters only once every parameter is filled", async () => {
    const { wrapper, server } = await picker(sent);
    const [first, second] = wrapper.findAll("input");
    await first!.setValue("Ravi");
    expect(wrapper.get('button[type="submit"]').attributes("disabled")).toBeDefined();
    await second!.setValue(" #BH-2041 ");
    await wrapper.get("form").trigger("submit");
    await flushPromises();
    const input = server.requests.find((request) => request.operationName === "SendWhatsAppTemplate")?.variables.input;
    expect(input).toMatchObject({ phoneNumber: "98765 43210", templateName: "order_update", languageCode: "en", bodyParameters: ["Ravi", "#BH-2041"] });
    expect(wrapper.emitted("sent")).toHaveLength(1);
  });

  it("hands a refused number to the parent, which shows it by the number's field", async () => {
    const { wrapper } = await picker({ __typename: "InvalidPhoneNumberError", message: "Invalid phone number", reason: "Invalid phone number" });
    for (const input of wrapper.findAll("input")) await input.setValue("x");
    await wrapper.get("form").trigger("submit");
    await flushPromises();
    expect(wrapper.emitted("invalidRecipient")).toEqual([["Invalid phone number"]]);
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
  });
});
