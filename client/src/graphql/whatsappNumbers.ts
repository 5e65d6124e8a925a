import { graphql } from "./generated";

export const WhatsAppNumberFieldsFragment = graphql(`
  fragment WhatsAppNumberFields on WhatsAppPhoneNumber {
    id
    phoneNumberId
    businessAccountId
    displayPhoneNumber
    verifiedName
    qualityRating
    throughputLevel
    messagingLimitTier
    coexistence
    status
    connectedAt
  }
`);

export const WhatsAppNumbersQuery = graphql(`
  query WhatsAppNumbers {
    whatsappNumbers {
      ...WhatsAppNumberFields
    }
  }
`);

export const ConnectWhatsAppNumberMutation = graphql(`
  mutation ConnectWhatsAppNumber($input: ConnectWhatsAppNumberInput!) {
    connectWhatsAppNumber(input: $input) {
      __typename
      ... on MutationConnectWhatsAppNumberSuccess {
        number {
          ...WhatsAppNumberFields
        }
      }
      ... on Error {
        message
      }
      ... on ValidationError {
        fieldErrors {
          field
          message
        }
      }
      ... on WhatsAppNumberNotFoundError {
        field
      }
    }
  }
`);

export const DisconnectWhatsAppNumberMutation = graphql(`
  mutation DisconnectWhatsAppNumber($id: ID!) {
    disconnectWhatsAppNumber(id: $id) {
      __typename
      ... on MutationDisconnectWhatsAppNumberSuccess {
        number {
          ...WhatsAppNumberFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);
