import { flushPromises } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import type { ConversationSummaryFragment } from "../graphql/generated/graphql.ts";
import { connection, conversationSummary } from "../testing/fixtures.ts";
import { fakeGraphQLServer, fakeSubscriptions, withSetup } from "../testing/harness.ts";
import { useConversationList } from "./useConversationList.ts";
import { matchesWorkflowList, useWorkflowListFilter, workflowListVariables } from "./useWorkflowListFilter.ts";

const vip = { __typename: "Label" as const, id: "l1", name: "VIP", color: "#25d366" };
const open = conversationSummary({ id: "c1", displayName: "Priya", lastMessageAt: "2025-11-25T10:05:00.000Z" });
const resolved = conversationSummary({ id: "c2", displayName: "Ravi", status: "RESOLVED", lastMessageAt: "2025-11-25T09:00:00.000Z" });
const mine = conversationSummary({ id: "c3", displayName: "Asha", assignee: { id: "me", name: "Me" }, labels: [vip] });

describe("the list's workflow filter", () => {
  it("asks the server for open conversations by default, and for mine or unassigned among the open ones", () => {
    expect(workflowListVariables("open", null)).toEqual({ status: "OPEN", assignee: null, labelId: null, phoneNumberId: null });
    expect(workflowListVariables("mine", "l1")).toEqual({ status: "OPEN", assignee: "MINE", labelId: "l1", phoneNumberId: null });
    expect(workflowListVariables("unassigned", null)).toEqual({ status: "OPEN", assignee: "UNASSIGNED", labelId: null, phoneNumberId: null });
    expect(workflowListVariables("resolved", null)).toEqual({ status: "RESOLVED", assignee: null, labelId: null, phoneNumberId: null });
    expect(workflowListVariables("all", null)).toEqual({ status: null, assignee: null, labelId: null, phoneNumberId: null });
  });

  it("decides in the browser, as the server would, whether a pushed conversation belongs to the tab", () => {
    expect(matchesWorkflowList(resolved, workflowListVariables("open", null), "me")).toBe(false);
    expect(matchesWorkflowList(mine, workflowListVariables("mine", null), "me")).toBe(true);
    expect(matchesWorkflowList(mine, workflowListVariables("mine", null), "someone else")).toBe(false);
    expect(matchesWorkflowList(mine, workflowListVariables("unassigned", null), "me")).toBe(false);
    expect(matchesWorkflowList(mine, workflowListVariables("all", "l1"), "me")).toBe(true);
    expect(matchesWorkflowList(open, workflowListVariables("all", "l1"), "me")).toBe(false);
  });

  it("takes a blocked customer's conversation off the Open tabs, keeping it under All", () => {
    const blocked = { ...open, blocked: true, labels: [] };
    expect(matchesWorkflowList(blocked, workflowListVariables("open", null), "me")).toBe(false);
    expect(matchesWorkflowList(blocked, workflowListVariables("all", null), "me")).toBe(true);
  });

  it("drops a conversation another agent resolves from the Open tab, and asks again when the tab changes", async () => {
    const subscriptions = fakeSubscriptions();
    const server = fakeGraphQLServer(
      (operation, variables) =>
        operation === "WorkflowLabels"
          ? { labels: [vip] }
          : { conversations: connection(variables.status === "RESOLVED" ? [resolved] : [open]) },
      subscriptions,
    );
    const { result } = withSetup(
      () => {
        const filter = useWorkflowListFilter();
        return { filter, list: useConversationList({ keepFresh: () => {} }, filter) };
      },
      { client: server.client },
    );
    await flushPromises();
    const names = () => result.list.conversations.value.map((conversation: ConversationSummaryFragment) => conversation.displayName);
    expect(names()).toEqual(["Priya"]);
    subscriptions.push("ConversationUpdated", { conversationUpdated: { ...open, status: "RESOLVED" } });
    expect(names()).toEqual([]);

    result.filter.tab.value = "resolved";
    await flushPromises();
    expect(names()).toEqual(["Ravi"]);
    expect(server.requests.at(-1)?.variables).toMatchObject({ status: "RESOLVED", assignee: null, labelId: null, phoneNumberId: null });
  });

  it("narrows the list to one WhatsApp number when the workspace has several, and drops a pushed conversation on another", async () => {
    const second = { phoneNumberId: "200000000000002", displayPhoneNumber: "+91 90000 00002" };
    const onSecond = conversationSummary({ id: "c4", displayName: "Meera", businessPhoneNumber: second });
    expect(matchesWorkflowList(onSecond, workflowListVariables("open", null, second.phoneNumberId), "me")).toBe(true);
    expect(matchesWorkflowList(open, workflowListVariables("open", null, second.phoneNumberId), "me")).toBe(false);

    const subscriptions = fakeSubscriptions();
    const server = fakeGraphQLServer(
      (operation, variables) =>
        operation === "InboxNumbers"
          ? { whatsappNumbers: [open.businessPhoneNumber, second] }
          : operation === "WorkflowLabels"
            ? { labels: [] }
            : { conversations: connection(variables.phoneNumberId === second.phoneNumberId ? [onSecond] : [open, onSecond]) },
      subscriptions,
    );
    const { result } = withSetup(
      () => {
        const filter = useWorkflowListFilter();
        return { filter, list: useConversationList({ keepFresh: () => {} }, filter) };
      },
      { client: server.client },
    );
    await flushPromises();
    expect(result.filter.severalNumbers.value).toBe(true);
    result.filter.phoneNumberId.value = second.phoneNumberId;
    await flushPromises();
    const names = () => result.list.conversations.value.map((conversation: ConversationSummaryFragment) => conversation.displayName);
    expect(names()).toEqual(["Meera"]);
    expect(server.requests.at(-1)?.variables).toMatchObject({ phoneNumberId: second.phoneNumberId });
    subscriptions.push("ConversationUpdated", { conversationUpdated: { ...open, lastMessageAt: "2025-11-25T11:00:00.000Z" } });
    expect(names()).toEqual(["Meera"]);
  });
});
