import { graphql } from "./generated";

/** Buttons, a list, a link button, a location request or a Flow; answered like the other sends. */
export const SendWhatsAppInteractiveMutation = graphql(`
  mutation SendWhatsAppInteractive($input: SendWhatsAppInteractiveInput!) {
    sendWhatsAppInteractive(input: $input) {
      __typename
      ...SendSuccess
      ...SendRefusal
    }
  }
`);

export const SendWhatsAppLocationMutation = graphql(`
  mutation SendWhatsAppLocation($input: SendWhatsAppLocationInput!) {
    sendWhatsAppLocation(input: $input) {
      __typename
      ...SendSuccess
      ...SendRefusal
    }
  }
`);

export const SendWhatsAppContactsMutation = graphql(`
  mutation SendWhatsAppContacts($input: SendWhatsAppContactsInput!) {
    sendWhatsAppContacts(input: $input) {
      __typename
      ...SendSuccess
      ...SendRefusal
    }
  }
`);

export const BlockCustomerMutation = graphql(`
  mutation BlockCustomer($conversationId: ID!) {
    blockCustomer(conversationId: $conversationId) {
      __typename
      ... on MutationBlockCustomerSuccess {
        conversation {
          ...ConversationSummary
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const UnblockCustomerMutation = graphql(`
  mutation UnblockCustomer($conversationId: ID!) {
    unblockCustomer(conversationId: $conversationId) {
      __typename
      ... on MutationUnblockCustomerSuccess {
        conversation {
          ...ConversationSummary
        }
      }
      ... on Error {
        message
      }
    }
  }
`);
