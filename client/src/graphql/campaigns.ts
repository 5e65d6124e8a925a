import { graphql } from "./generated";

/** What the campaigns page shows of a campaign: its state, progress and report. */
export const CampaignFieldsFragment = graphql(`
  fragment CampaignFields on Campaign {
    id
    name
    templateName
    languageCode
    templateCategory
    optedInOnly
    status
    pausedReason
    scheduledAt
    startedAt
    completedAt
    createdAt
    total
    skipped
    exclusions {
      reason
      count
    }
    queued
    sent
    delivered
    read
    replied
    failed
    cancelled
    failures {
      code
      title
      count
    }
    estimatedCost
    currency
    cost {
      ...CostEstimateFields
    }
  }
`);

export const CampaignsQuery = graphql(`
  query Campaigns {
    campaigns {
      ...CampaignFields
    }
  }
`);

export const CampaignUpdatedSubscription = graphql(`
  subscription CampaignUpdated {
    campaignUpdated {
      ...CampaignFields
    }
  }
`);

export const CreateCampaignMutation = graphql(`
  mutation CreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      __typename
      ... on MutationCreateCampaignSuccess {
        campaign {
          ...CampaignFields
        }
      }
      ...FieldErrors
      ... on Error {
        message
      }
    }
  }
`);

export const StartCampaignMutation = graphql(`
  mutation StartCampaign($id: ID!) {
    startCampaign(id: $id) {
      __typename
      ... on MutationStartCampaignSuccess {
        campaign {
          ...CampaignFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const PauseCampaignMutation = graphql(`
  mutation PauseCampaign($id: ID!) {
    pauseCampaign(id: $id) {
      __typename
      ... on MutationPauseCampaignSuccess {
        campaign {
          ...CampaignFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const ResumeCampaignMutation = graphql(`
  mutation ResumeCampaign($id: ID!) {
    resumeCampaign(id: $id) {
      __typename
      ... on MutationResumeCampaignSuccess {
        campaign {
          ...CampaignFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const CancelCampaignMutation = graphql(`
  mutation CancelCampaign($id: ID!) {
    cancelCampaign(id: $id) {
      __typename
      ... on MutationCancelCampaignSuccess {
        campaign {
          ...CampaignFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);
