import { useClientHandle, useMutation, useQuery } from "@urql/vue";
import { computed, onScopeDispose, ref } from "vue";
import {
  CampaignUpdatedSubscription,
  CampaignsQuery,
  CancelCampaignMutation,
  CreateCampaignMutation,
  PauseCampaignMutation,
  ResumeCampaignMutation,
  StartCampaignMutation,
} from "../graphql/campaigns.ts";
import type { CampaignFieldsFragment, CreateCampaignInput } from "../graphql/generated/graphql.ts";

export type CampaignAction = "start" | "pause" | "resume" | "cancel";

/**
 * The workspace's campaigns, newest first, kept current by `campaignUpdated` (about once a second
 * while one runs): progress bars move without reloading.
 */
export function useCampaigns() {
  const query = useQuery({ query: CampaignsQuery, requestPolicy: "cache-and-network" });
  const live = ref(new Map<string, CampaignFieldsFragment>());
  const { client } = useClientHandle();
  const subscription = client.subscription(CampaignUpdatedSubscription, {}).subscribe((result) => {
    const campaign = result.data?.campaignUpdated;
    if (campaign) live.value = new Map(live.value).set(campaign.id, campaign);
  });
  onScopeDispose(() => subscription.unsubscribe());

  const campaigns = computed(() => {
    const listed = query.data.value?.campaigns ?? [];
    const known = new Set(listed.map((campaign) => campaign.id));
    const fresh = [...live.value.values()].filter((campaign) => !known.has(campaign.id));
    return [...fresh, ...listed.map((campaign) => live.value.get(campaign.id) ?? campaign)];
  });

  const error = ref<string | null>(null);
  const mutations = {
    start: useMutation(StartCampaignMutation),
    pause: useMutation(PauseCampaignMutation),
    resume: useMutation(ResumeCampaignMutation),
    cancel: useMutation(CancelCampaignMutation),
  };
  const create = useMutation(CreateCampaignMutation);

  function remember(campaign: CampaignFieldsFragment | undefined) {
    if (campaign) live.value = new Map(live.value).set(campaign.id, campaign);
  }

  async function act(action: CampaignAction, id: string) {
    error.value = null;
    const result = await mutations[action].executeMutation({ id });
    const answer = result.data && Object.values(result.data)[0];
    if (answer && "campaign" in answer) remember(answer.campaign);
    else error.value = (answer && "message" in answer ? answer.message : null) ?? "Could not do that. Try again.";
  }

  /** Answers the refused fields, or null once the draft exists. */
  async function createCampaign(input: CreateCampaignInput) {
    error.value = null;
    const result = await create.executeMutation({ input });
    const answer = result.data?.createCampaign;
    if (answer?.__typename === "MutationCreateCampaignSuccess") {
      remember(answer.campaign);
      return null;
    }
    if (answer?.__typename === "ValidationError") return answer.fieldErrors;
    error.value = (answer && "message" in answer ? answer.message : null) ?? "Could not create the campaign. Try again.";
    return [];
  }

  return { campaigns, fetching: query.fetching, error, act, createCampaign, creating: create.fetching };
}
