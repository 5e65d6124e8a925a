import { useMutation, useQuery } from "@urql/vue";
import { computed, ref } from "vue";
import type { ConnectWhatsAppNumberMutation as ConnectAnswerData } from "../graphql/generated/graphql.ts";
import { ConnectWhatsAppNumberMutation, DisconnectWhatsAppNumberMutation, WhatsAppNumbersQuery } from "../graphql/whatsappNumbers.ts";
import { useFieldErrors, type FieldError } from "./useFieldErrors.ts";

const UNREACHABLE = "The server did not answer. Try again.";
export const CONNECT_FIELDS = ["phoneNumberId", "businessAccountId", "accessToken"] as const;
type ConnectField = (typeof CONNECT_FIELDS)[number];

export interface ConnectInput {
  phoneNumberId: string;
  businessAccountId: string;
  accessToken: string;
}

type ConnectAnswer = ConnectAnswerData["connectWhatsAppNumber"];

/** Meta's refusals belong to the field to correct: the form shows each under it. */
export function connectFieldErrors(answer: ConnectAnswer): FieldError[] {
  switch (answer.__typename) {
    case "ValidationError":
      return answer.fieldErrors;
    case "WhatsAppTokenRefusedError":
      return [{ field: "accessToken" satisfies ConnectField, message: answer.message }];
    case "WhatsAppNumberNotFoundError":
      return [{ field: answer.field, message: answer.message }];
    case "WhatsAppNumberTakenError":
      return [{ field: "phoneNumberId" satisfies ConnectField, message: answer.message }];
    default:
      return [];
  }
}

/** The Settings → WhatsApp page's data and actions: the workspace's numbers, connect, disconnect. */
export function useWhatsAppNumbers() {
  const query = useQuery({ query: WhatsAppNumbersQuery, requestPolicy: "cache-and-network", context: { additionalTypenames: ["WhatsAppPhoneNumber"] } });
  const numbers = computed(() => query.data.value?.whatsappNumbers ?? []);
  const reload = () => query.executeQuery({ requestPolicy: "network-only" });

  const connecting = useMutation(ConnectWhatsAppNumberMutation);
  const connectErrors = useFieldErrors(CONNECT_FIELDS);
  async function connect(input: ConnectInput): Promise<boolean> {
    const answer = (await connecting.executeMutation({ input })).data?.connectWhatsAppNumber;
    if (answer?.__typename === "MutationConnectWhatsAppNumberSuccess") {
      connectErrors.clear();
      await reload();
      return true;
    }
    if (!answer) connectErrors.fail(UNREACHABLE);
    else connectErrors.apply(connectFieldErrors(answer), "message" in answer ? answer.message : UNREACHABLE);
    return false;
  }

  const disconnecting = useMutation(DisconnectWhatsAppNumberMutation);
  const actionError = ref<string | null>(null);
  async function disconnect(id: string): Promise<boolean> {
    actionError.value = null;
    const answer = (await disconnecting.executeMutation({ id })).data?.disconnectWhatsAppNumber;
    await reload();
    if (answer?.__typename === "MutationDisconnectWhatsAppNumberSuccess") return true;
    actionError.value = answer && "message" in answer ? answer.message : UNREACHABLE;
    return false;
  }

  return {
    numbers,
    loading: computed(() => query.fetching.value && !query.data.value),
    connect,
    connecting: connecting.fetching,
    connectErrors,
    disconnect,
    disconnecting: disconnecting.fetching,
    actionError,
  };
}
