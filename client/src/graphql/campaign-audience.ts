import { graphql } from "./generated";

/** Saved audience filters and the "before sending" preview of a draft campaign. */
export const SavedFiltersQuery = graphql(`
  query SavedFilters {
    savedFilters {
      id
      name
      hasConversation
      lastMessageWithinDays
      optedIn
      labelIds
    }
  }
`);

export const CreateSavedFilterMutation = graphql(`
  mutation CreateSavedFilter($input: CreateSavedFilterInput!) {
    createSavedFilter(input: $input) {
      __typename
      ... on MutationCreateSavedFilterSuccess {
        savedFilter {
          id
          name
        }
      }
      ...FieldErrors
      ... on Error {
        message
      }
    }
  }
`);

export const DeleteSavedFilterMutation = graphql(`
  mutation DeleteSavedFilter($id: ID!) {
    deleteSavedFilter(id: $id) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

export const CampaignPreviewQuery = graphql(`
  query CampaignPreview($id: ID!, $first: Int, $offset: Int, $search: String) {
    campaignPreview(id: $id, first: $first, offset: $offset, search: $search) {
      __typename
      ... on QueryCampaignPreviewSuccess {
        preview {
          recipients
          skipped
          exclusions {
            reason
            count
          }
          estimatedCost
          currency
          matching
          messages {
            contactId
            contactName
            to
            text
            notBefore
          }
          limit {
            tier
            limit
            usedLast24h
            newCustomers
            room
            verdict
            summary
            batches {
              count
              notBefore
            }
          }
        }
      }
      ... on Error {
        message
      }
    }
  }
`);
