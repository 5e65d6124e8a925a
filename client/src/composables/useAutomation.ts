import { useMutation, useQuery } from "@urql/vue";
import { computed, ref } from "vue";
import {
  AutomationQuery,
  CreateAutoReplyRuleMutation,
  DeleteAutoReplyRuleMutation,
  UpdateAutoReplyRuleMutation,
  UpdateAutoReplySettingsMutation,
} from "../graphql/automation.ts";
import type { AutoReplyKind, AutoReplyRuleFieldsFragment, OpeningHoursInput } from "../graphql/generated/graphql.ts";
import { useFieldErrors } from "./useFieldErrors.ts";

export interface RuleDraft {
  kind: AutoReplyKind;
  keywords: string[];
  reply: string;
  enabled: boolean;
}

export interface HoursDraft {
  timeZone: string;
  /** null: always open */
  businessHours: OpeningHoursInput[] | null;
}

const UNREACHABLE = "The server did not answer. Try again.";

/** The workspace's auto-reply rules and settings: list, add, edit, switch off, delete; hours and AI. */
export function useAutomation() {
  const query = useQuery({
    query: AutomationQuery,
    requestPolicy: "cache-and-network",
    // An empty list names no AutoReplyRule, yet the first created rule must refresh it.
    context: { additionalTypenames: ["AutoReplyRule"] },
  });
  const rules = computed(() => query.data.value?.autoReplyRules ?? []);
  const settings = computed(() => query.data.value?.autoReplySettings ?? null);
  const loadFailed = computed(() => !query.data.value && query.error.value !== undefined);
  const refresh = () => query.executeQuery({ requestPolicy: "network-only" });

  const creation = useMutation(CreateAutoReplyRuleMutation);
  const update = useMutation(UpdateAutoReplyRuleMutation);
  const ruleErrors = useFieldErrors(["kind", "keywords", "reply"] as const);

  /** Adds a rule, or saves the one being edited (`id`); true when the server took it. */
  async function saveRule(draft: RuleDraft, id?: string): Promise<boolean> {
    const input = { ...draft, keywords: draft.kind === "KEYWORD" ? draft.keywords : [] };
    const answer = id
      ? (await update.executeMutation({ id, input })).data?.updateAutoReplyRule
      : (await creation.executeMutation({ input })).data?.createAutoReplyRule;
    if (answer?.__typename === "MutationCreateAutoReplyRuleSuccess" || answer?.__typename === "MutationUpdateAutoReplyRuleSuccess") {
      ruleErrors.clear();
      if (!id) await refresh();
      return true;
    }
    if (answer?.__typename === "ValidationError") ruleErrors.apply(answer.fieldErrors, answer.message);
    else if (answer?.__typename === "NotFoundError") ruleErrors.fail("That rule no longer exists.");
    else ruleErrors.fail(UNREACHABLE);
    return false;
  }

  const listError = ref<string | null>(null);
  async function setEnabled(rule: AutoReplyRuleFieldsFragment, enabled: boolean) {
    listError.value = null;
    const answer = (await update.executeMutation({ id: rule.id, input: { enabled } })).data?.updateAutoReplyRule;
    if (answer?.__typename !== "MutationUpdateAutoReplyRuleSuccess") listError.value = `Could not change the rule. ${UNREACHABLE}`;
  }

  const deletion = useMutation(DeleteAutoReplyRuleMutation);
  async function remove(id: string) {
    listError.value = null;
    const answer = (await deletion.executeMutation({ id })).data?.deleteAutoReplyRule;
    if (!answer) listError.value = `Could not delete the rule. ${UNREACHABLE}`;
    await refresh();
  }

  const settingsUpdate = useMutation(UpdateAutoReplySettingsMutation);
  const hoursErrors = useFieldErrors(["timeZone", "businessHours"] as const);
  const hoursSaved = ref(false);
  async function saveHours(draft: HoursDraft): Promise<boolean> {
    hoursSaved.value = false;
    const answer = (await settingsUpdate.executeMutation({ input: draft })).data?.updateAutoReplySettings;
    if (answer?.__typename === "MutationUpdateAutoReplySettingsSuccess") {
      hoursErrors.clear();
      hoursSaved.value = true;
      return true;
    }
    if (answer?.__typename === "ValidationError") hoursErrors.apply(answer.fieldErrors, answer.message);
    else hoursErrors.fail(UNREACHABLE);
    return false;
  }

  const aiError = ref<string | null>(null);
  async function setAi(enabled: boolean) {
    aiError.value = null;
    const answer = (await settingsUpdate.executeMutation({ input: { aiRepliesEnabled: enabled } })).data?.updateAutoReplySettings;
    if (answer?.__typename === "ValidationError") aiError.value = answer.message;
    else if (!answer) aiError.value = UNREACHABLE;
  }

  return {
    rules,
    settings,
    loading: query.fetching,
    loadFailed,
    refresh,
    saveRule,
    savingRule: computed(() => creation.fetching.value || update.fetching.value),
    ruleFieldErrors: ruleErrors.byField,
    ruleError: ruleErrors.formError,
    clearRuleErrors: ruleErrors.clear,
    setEnabled,
    remove,
    listError,
    saveHours,
    savingSettings: settingsUpdate.fetching,
    hoursFieldErrors: hoursErrors.byField,
    hoursError: hoursErrors.formError,
    hoursSaved,
    setAi,
    aiError,
  };
}
