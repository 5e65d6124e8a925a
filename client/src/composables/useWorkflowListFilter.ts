import { useClientHandle } from "@urql/vue";
import { computed, ref, shallowRef } from "vue";
import type {
  ConversationAssigneeFilter,
  ConversationStatus,
  ConversationSummaryFragment,
  WorkflowLabelFragment,
} from "../graphql/generated/graphql.ts";
import { LabelsQuery } from "../graphql/workflow.ts";
import { useBusinessNumbers } from "./useBusinessNumbers.ts";
import { useSession } from "./useSession.ts";

/** The inbox list's tabs. Mine and Unassigned are open conversations: the work still to do. */
export type WorkflowListTab = "open" | "mine" | "unassigned" | "resolved" | "all";

export const WORKFLOW_LIST_TABS: ReadonlyArray<{ id: WorkflowListTab; label: string }> = [
  { id: "open", label: "Open" },
  { id: "mine", label: "Mine" },
  { id: "unassigned", label: "Unassigned" },
  { id: "resolved", label: "Resolved" },
  { id: "all", label: "All" },
];

/** The tab the inbox opens on. */
export const DEFAULT_WORKFLOW_LIST_TAB: WorkflowListTab = "open";

/** The `conversations` query's workflow arguments. */
export interface WorkflowListVariables {
  status: ConversationStatus | null;
  assignee: ConversationAssigneeFilter | null;
  labelId: string | null;
  /** Only the conversations on this business number. */
  phoneNumberId: string | null;
}

export function workflowListVariables(tab: WorkflowListTab, labelId: string | null, phoneNumberId: string | null = null): WorkflowListVariables {
  const status: ConversationStatus | null = tab === "resolved" ? "RESOLVED" : tab === "all" ? null : "OPEN";
  const assignee: ConversationAssigneeFilter | null = tab === "mine" ? "MINE" : tab === "unassigned" ? "UNASSIGNED" : null;
  return { status, assignee, labelId, phoneNumberId };
}

/**
 * Whether a conversation belongs in the list under these filters, decided in the browser as
 * the server would: a pushed update (resolved, reassigned, relabelled) leaves or enters the list.
 */
export function matchesWorkflowList(conversation: ConversationSummaryFragment, filter: WorkflowListVariables, viewerId: string | null) {
  if (filter.status && conversation.status !== filter.status) return false;
  // As the server decides it: a blocked customer's conversation is not waiting for an answer.
  if (filter.status === "OPEN" && conversation.blocked) return false;
  if (filter.assignee === "MINE" && (!viewerId || conversation.assignee?.id !== viewerId)) return false;
  if (filter.assignee === "UNASSIGNED" && conversation.assignee) return false;
  if (filter.labelId && !conversation.labels.some((label) => label.id === filter.labelId)) return false;
  if (filter.phoneNumberId && conversation.businessPhoneNumber?.phoneNumberId !== filter.phoneNumberId) return false;
  return true;
}

/**
 * The list's filter state, the workspace's labels to filter by (loaded when the select opens),
 * and its WhatsApp numbers (the filter by number is offered when there are several).
 */
export function useWorkflowListFilter() {
  const { client } = useClientHandle();
  const { user } = useSession();
  const tab = ref<WorkflowListTab>(DEFAULT_WORKFLOW_LIST_TAB);
  const labelId = ref<string | null>(null);
  const phoneNumberId = ref<string | null>(null);
  const labels = shallowRef<readonly WorkflowLabelFragment[]>([]);
  const businessNumbers = useBusinessNumbers();
  const variables = computed(() => workflowListVariables(tab.value, labelId.value, phoneNumberId.value));

  async function loadLabels() {
    const result = await client.query(LabelsQuery, {}, { requestPolicy: "network-only" }).toPromise();
    if (result.data) labels.value = result.data.labels;
    // A label deleted meanwhile by another agent: back to every label.
    if (labelId.value && !labels.value.some((label) => label.id === labelId.value)) labelId.value = null;
  }
  void loadLabels();

  /** A conversation shown with a label the filter does not offer yet (just created by another agent): offer it. */
  function noticeLabels(seen: readonly WorkflowLabelFragment[]) {
    if (seen.some((label) => !labels.value.some((known) => known.id === label.id))) void loadLabels();
  }

  return {
    tab,
    labelId,
    phoneNumberId,
    labels,
    numbers: businessNumbers.numbers,
    severalNumbers: businessNumbers.several,
    variables,
    loadLabels,
    noticeLabels,
    matches: (conversation: ConversationSummaryFragment) => matchesWorkflowList(conversation, variables.value, user.value?.id ?? null),
  };
}

export type WorkflowListFilter = ReturnType<typeof useWorkflowListFilter>;
