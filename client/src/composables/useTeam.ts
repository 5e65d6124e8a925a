import { useMutation, useQuery } from "@urql/vue";
import { computed, ref } from "vue";
import type { UserRole } from "../graphql/generated/graphql.ts";
import {
  CreatePasswordResetLinkMutation,
  DeactivateAgentMutation,
  InviteAgentMutation,
  ReactivateAgentMutation,
  RevokeInviteMutation,
  SetAgentRoleMutation,
  TeamQuery,
} from "../graphql/team.ts";
import { useFieldErrors } from "./useFieldErrors.ts";

const UNREACHABLE = "The server did not answer. Try again.";

/** A link just issued: shown once, since the server keeps only its hash. */
export interface IssuedLink {
  kind: "invite" | "reset";
  email: string;
  url: string;
}

type Answer = { __typename: string; message?: string } | undefined;

/** The Team page's data and actions: agents, pending invitations, and what admins change. */
export function useTeam() {
  const team = useQuery({ query: TeamQuery, requestPolicy: "cache-and-network", context: { additionalTypenames: ["User", "Invite"] } });
  const agents = computed(() => team.data.value?.agents ?? []);
  const invites = computed(() => {
    const answer = team.data.value?.invites;
    return answer?.__typename === "QueryInvitesSuccess" ? answer.invites : [];
  });
  const reload = () => team.executeQuery({ requestPolicy: "network-only" });

  const issued = ref<IssuedLink | null>(null);
  const actionError = ref<string | null>(null);
  const busyId = ref<string | null>(null);

  const inviting = useMutation(InviteAgentMutation);
  const inviteErrors = useFieldErrors(["email", "name", "role"] as const);
  async function invite(input: { email: string; name: string; role: UserRole }): Promise<boolean> {
    const answer = (await inviting.executeMutation({ input })).data?.inviteAgent;
    if (answer?.__typename === "MutationInviteAgentSuccess") {
      inviteErrors.clear();
      issued.value = { kind: "invite", email: answer.invite.email, url: answer.invite.url ?? "" };
      await reload();
      return true;
    }
    if (answer?.__typename === "ValidationError") inviteErrors.apply(answer.fieldErrors, answer.message);
    else inviteErrors.fail(answer && "message" in answer ? answer.message : UNREACHABLE);
    return false;
  }

  /** Runs one action on a row; any refusal (last admin, not allowed) is shown above the table. */
  async function act(id: string, run: () => Promise<Answer>) {
    busyId.value = id;
    actionError.value = null;
    const answer = await run();
    busyId.value = null;
    if (!answer) actionError.value = UNREACHABLE;
    else if (!answer.__typename.endsWith("Success")) actionError.value = answer.message ?? UNREACHABLE;
    await reload();
    return answer;
  }

  const revoking = useMutation(RevokeInviteMutation);
  const settingRole = useMutation(SetAgentRoleMutation);
  const deactivating = useMutation(DeactivateAgentMutation);
  const reactivating = useMutation(ReactivateAgentMutation);
  const resetting = useMutation(CreatePasswordResetLinkMutation);

  return {
    agents,
    invites,
    loading: computed(() => team.fetching.value && !team.data.value),
    issued,
    actionError,
    busyId,
    inviteErrors,
    inviting: inviting.fetching,
    invite,
    revokeInvite: (id: string) => act(id, async () => (await revoking.executeMutation({ id })).data?.revokeInvite),
    setRole: (id: string, role: UserRole) => act(id, async () => (await settingRole.executeMutation({ id, role })).data?.setAgentRole),
    deactivate: (id: string) => act(id, async () => (await deactivating.executeMutation({ id })).data?.deactivateAgent),
    reactivate: (id: string) => act(id, async () => (await reactivating.executeMutation({ id })).data?.reactivateAgent),
    async resetLink(id: string, email: string) {
      const answer = await act(id, async () => (await resetting.executeMutation({ userId: id })).data?.createPasswordResetLink);
      if (answer?.__typename === "MutationCreatePasswordResetLinkSuccess" && "invite" in answer) {
        issued.value = { kind: "reset", email, url: (answer as { invite: { url?: string | null } }).invite.url ?? "" };
      }
    },
  };
}
