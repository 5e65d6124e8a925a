import { useMutation, useQuery } from "@urql/vue";
import { computed, ref } from "vue";
import { ApiTokensQuery, CreateApiTokenMutation, RevokeApiTokenMutation } from "../graphql/apiTokens.ts";
import { useFieldErrors } from "./useFieldErrors.ts";

export interface NewTokenRequest {
  name: string;
  /** null: never expires. */
  expiresInDays: number | null;
}

/** A just-created secret: the server returns it once and stores only its hash. */
export interface RevealedToken {
  name: string;
  token: string;
}

const UNREACHABLE = "The server did not answer. Try again.";

/** The signed-in user's API tokens: list, create (revealing the secret once) and revoke. */
export function useApiTokens() {
  const list = useQuery({
    query: ApiTokensQuery,
    requestPolicy: "cache-and-network",
    // An empty list names no ApiToken, yet the first created token must refresh it.
    context: { additionalTypenames: ["ApiToken"] },
  });
  const tokens = computed(() => list.data.value?.apiTokens ?? []);
  const loadFailed = computed(() => !list.data.value && list.error.value !== undefined);

  const creation = useMutation(CreateApiTokenMutation);
  const createErrors = useFieldErrors(["name", "expiresInDays"] as const);
  const revealed = ref<RevealedToken | null>(null);

  async function create(request: NewTokenRequest): Promise<boolean> {
    revealed.value = null;
    const result = await creation.executeMutation(request);
    const answer = result.data?.createApiToken;
    if (answer?.__typename === "MutationCreateApiTokenSuccess") {
      createErrors.clear();
      revealed.value = { name: answer.data.apiToken.name, token: answer.data.token };
      return true;
    }
    if (answer?.__typename === "ValidationError") createErrors.apply(answer.fieldErrors, answer.message);
    else createErrors.fail(UNREACHABLE);
    return false;
  }

  const revocation = useMutation(RevokeApiTokenMutation);
  const revokingId = ref<string | null>(null);
  const revokeError = ref<string | null>(null);

  async function revoke(id: string) {
    revokingId.value = id;
    revokeError.value = null;
    const result = await revocation.executeMutation({ id });
    revokingId.value = null;
    const answer = result.data?.revokeApiToken;
    if (answer?.__typename === "NotFoundError") revokeError.value = "That token no longer exists.";
    else if (!answer) revokeError.value = `Could not revoke the token. ${UNREACHABLE}`;
  }

  return {
    tokens,
    loading: list.fetching,
    loadFailed,
    reload: () => list.executeQuery({ requestPolicy: "network-only" }),
    create,
    creating: creation.fetching,
    createFieldErrors: createErrors.byField,
    createError: createErrors.formError,
    revealed,
    forgetRevealed: () => (revealed.value = null),
    revoke,
    revokingId,
    revokeError,
  };
}
