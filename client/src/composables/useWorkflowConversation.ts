import { useClientHandle } from "@urql/vue";
import { ref, shallowRef } from "vue";
import type { ConversationStatus, ConversationSummaryFragment, WorkflowAgentsQuery, WorkflowLabelFragment } from "../graphql/generated/graphql.ts";
import {
  AddConversationLabelMutation,
  AgentsQuery,
  AssignConversationMutation,
  LabelsQuery,
  RemoveConversationLabelMutation,
  SetConversationStatusMutation,
} from "../graphql/workflow.ts";

type Agent = WorkflowAgentsQuery["agents"][number];
/** Every workflow mutation answers the conversation as it now is, or an error with a message. */
type Answer =
  | { __typename: `Mutation${string}Success`; conversation: ConversationSummaryFragment }
  | { __typename: string; message?: string }
  | undefined;

/**
 * The open conversation's workflow: assignee, status and labels. Each change answers the
 * conversation as the server now has it, handed to `onChange` (the list and header update at
 * once); other agents hear it through `conversationUpdated`.
 */
export function useWorkflowConversation(conversationId: () => string, onChange: (conversation: ConversationSummaryFragment) => void) {
  const { client } = useClientHandle();
  const agents = shallowRef<readonly Agent[]>([]);
  const labels = shallowRef<readonly WorkflowLabelFragment[]>([]);
  const busy = ref(false);
  const error = ref<string | null>(null);

  /** The pickers' choices, asked again when opened: another agent may have added a label. */
  async function loadChoices() {
    const [agentAnswer, labelAnswer] = await Promise.all([
      client.query(AgentsQuery, {}, { requestPolicy: "network-only" }).toPromise(),
      client.query(LabelsQuery, {}, { requestPolicy: "network-only" }).toPromise(),
    ]);
    // A deactivated colleague can no longer be assigned (the server refuses it too).
    if (agentAnswer.data) agents.value = agentAnswer.data.agents.filter((agent) => agent.active);
    if (labelAnswer.data) labels.value = labelAnswer.data.labels;
  }

  async function run(mutate: () => Promise<{ data?: Record<string, Answer> }>, failure: string) {
    busy.value = true;
    error.value = null;
    try {
      const result = await mutate();
      const answer = result.data ? Object.values(result.data)[0] : undefined;
      if (answer && "conversation" in answer) onChange(answer.conversation);
      else error.value = (answer && "message" in answer && answer.message) || failure;
    } finally {
      busy.value = false;
    }
  }

  const assign = (assigneeId: string | null) =>
    run(() => client.mutation(AssignConversationMutation, { conversationId: conversationId(), assigneeId }).toPromise(), "Could not assign the conversation.");
  const setStatus = (status: ConversationStatus) =>
    run(
      () => client.mutation(SetConversationStatusMutation, { conversationId: conversationId(), status }).toPromise(),
      status === "RESOLVED" ? "Could not resolve the conversation." : "Could not reopen the conversation.",
    );
  const addLabel = (labelId: string) =>
    run(() => client.mutation(AddConversationLabelMutation, { conversationId: conversationId(), labelId }).toPromise(), "Could not add the label.");
  const removeLabel = (labelId: string) =>
    run(() => client.mutation(RemoveConversationLabelMutation, { conversationId: conversationId(), labelId }).toPromise(), "Could not remove the label.");

  void loadChoices();
  return { agents, labels, busy, error, loadChoices, assign, setStatus, addLabel, removeLabel };
}
