import { useClientHandle } from "@urql/vue";
import { ref, shallowRef } from "vue";
import type { WorkflowCannedResponseFragment } from "../graphql/generated/graphql.ts";
import { CannedResponsesQuery } from "../graphql/workflow.ts";

/** How many suggestions the picker shows at once: enough to choose, few enough to scan. */
export const CANNED_PICKER_MAX = 8;

/**
 * The shortcut being typed: the composer's text is "/" and one word at most, as in Chatwoot and
 * Slack. "/thanks for waiting" is a message, not a search.
 */
export function cannedQuery(text: string): string | null {
  const match = /^\/([^\s/]*)$/u.exec(text);
  return match ? match[1]!.toLowerCase() : null;
}

/** Shortcuts starting with what was typed first, then those containing it; by shortcut within each. */
export function matchCanned(responses: readonly WorkflowCannedResponseFragment[], query: string) {
  const starting = responses.filter((response) => response.shortcut.startsWith(query));
  const containing = responses.filter((response) => !response.shortcut.startsWith(query) && response.shortcut.includes(query));
  return [...starting, ...containing].slice(0, CANNED_PICKER_MAX);
}

/**
 * The workspace's canned responses for the composer. Loaded again each time the picker opens,
 * so a reply another agent saved a moment ago is offered at once.
 */
export function useWorkflowCannedResponses() {
  const { client } = useClientHandle();
  const responses = shallowRef<readonly WorkflowCannedResponseFragment[]>([]);
  const loaded = ref(false);

  async function refresh() {
    const result = await client.query(CannedResponsesQuery, {}, { requestPolicy: "network-only" }).toPromise();
    if (result.data) responses.value = result.data.cannedResponses;
    loaded.value = true;
  }

  return { responses, loaded, refresh };
}
