import urql from "@urql/vue";
import { flushPromises, mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { conversationSummary } from "../../testing/fixtures.ts";
import { createTestRouter, fakeGraphQLServer, fakeSubscriptions } from "../../testing/harness.ts";
import WorkflowConversationBar from "./WorkflowConversationBar.vue";
import WorkflowNotes from "./WorkflowNotes.vue";

const vip = { __typename: "Label", id: "l1", name: "VIP", color: "#d32f2f" };
const agents = [{ __typename: "User", id: "u2", name: "Ravi Verma", active: true }];

function mountBar(answer: (operation: string, variables: Record<string, unknown>) => unknown) {
  const server = fakeGraphQLServer((operation, variables) =>
    operation === "WorkflowAgents" ? { agents } : operation === "WorkflowLabels" ? { labels: [vip] } : answer(operation, variables),
  );
  const wrapper = mount(WorkflowConversationBar, {
    props: { conversation: conversationSummary() },
    global: { plugins: [[urql, server.client], createTestRouter()] },
  });
  return { wrapper, server };
}

describe("WorkflowConversationBar", () => {
  it("assigns through the picker and hands the updated conversation up", async () => {
    const assigned = conversationSummary({ assignee: { id: "u2", name: "Ravi Verma" } });
    const { wrapper, server } = mountBar(() => ({ assignConversation: { __typename: "MutationAssignConversationSuccess", conversation: assigned } }));
    await flushPromises();
    await wrapper.get("select").setValue("u2");
    await flushPromises();
    expect(server.requests.at(-1)).toMatchObject({ operationName: "AssignConversation", variables: { conversationId: "conv-1", assigneeId: "u2" } });
    expect(wrapper.emitted("change")).toEqual([[assigned]]);
  });

  it("offers only labels the conversation does not have, and says why a change failed", async () => {
    const { wrapper } = mountBar(() => ({ addConversationLabel: { __typename: "NotFoundError", message: "Label not found" } }));
    await wrapper.setProps({ conversation: conversationSummary({ labels: [] }) });
    await flushPromises();
    const labelPicker = wrapper.get("select.add-label");
    expect(labelPicker.findAll("option").map((option) => option.text())).toEqual(["+ Label", "VIP"]);
    await labelPicker.setValue("l1");
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toBe("Label not found");
  });

  it("says Reopen on a resolved conversation, and Resolve otherwise", async () => {
    const { wrapper } = mountBar(() => ({}));
    expect(wrapper.get("button.status").text()).toBe("Resolve");
    await wrapper.setProps({ conversation: conversationSummary({ status: "RESOLVED" }) });
    expect(wrapper.get("button.status").text()).toBe("Reopen");
    expect(wrapper.text()).toContain("Resolved");
  });
});

describe("WorkflowNotes", () => {
  const note = (id: string, body: string, canDelete = true) => ({
    __typename: "ConversationNote",
    id,
    body,
    canDelete,
    createdAt: "2025-11-25T10:00:00.000Z",
    author: { __typename: "User", id: "u1", name: "Admin" },
  });

  it("shows the notes marked internal, adds one, and shows another agent's note pushed live", async () => {
    const subscriptions = fakeSubscriptions();
    const server = fakeGraphQLServer(
      (operation, variables) =>
        operation === "ConversationNotes"
          ? { conversation: { __typename: "Conversation", id: "conv-1", notes: [note("n1", "Prefers Hindi")] } }
          : { addConversationNote: { __typename: "MutationAddConversationNoteSuccess", note: note("n2", String(variables.body)) } },
      subscriptions,
    );
    const wrapper = mount(WorkflowNotes, {
      props: { conversationId: "conv-1", live: { keepFresh: () => {} } },
      global: { plugins: [[urql, server.client]] },
    });
    await flushPromises();
    expect(wrapper.text()).toContain("Only agents see these");
    expect(wrapper.get(".note").text()).toContain("Prefers Hindi");

    await wrapper.get("textarea").setValue("Call after 6 pm");
    await wrapper.get("form").trigger("submit");
    await flushPromises();
    expect(wrapper.findAll(".note .body").map((body) => body.text())).toEqual(["Prefers Hindi", "Call after 6 pm"]);
    expect((wrapper.get("textarea").element as HTMLTextAreaElement).value).toBe("");

    subscriptions.push("ConversationNotesChanged", {
      conversationNotesChanged: { __typename: "Conversation", id: "conv-1", notes: [note("n1", "Prefers Hindi"), note("n3", "From Ravi", false)] },
    });
    await flushPromises();
    expect(wrapper.findAll(".note .body").map((body) => body.text())).toEqual(["Prefers Hindi", "From Ravi"]);
    expect(wrapper.findAll(".note")[1]!.find("button").exists()).toBe(false);
  });
});
