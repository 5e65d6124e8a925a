import { graphql } from "./generated";

export const WhatsAppStatusQuery = graphql(`
  query WhatsAppStatus {
    whatsappStatus {
      configured
      message
      missing
    }
  }
`);

export const WhatsAppTemplatesQuery = graphql(`
  query WhatsAppTemplates($phoneNumberId: String) {
    whatsappTemplates(phoneNumberId: $phoneNumberId) {
      id
      name
      language
      category
      status
      headerFormat
      headerText
      body
      footer
      buttons {
        type
        text
      }
      parameterCount
    }
  }
`);

export const SyncWhatsAppTemplatesMutation = graphql(`
  mutation SyncWhatsAppTemplates($phoneNumberId: String) {
    syncWhatsAppTemplates(phoneNumberId: $phoneNumberId) {
      __typename
      ... on MutationSyncWhatsAppTemplatesSuccess {
        sync {
          count
          syncedAt
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const WhatsAppWindowQuery = graphql(`
  query WhatsAppWindow($contactId: ID!) {
    whatsappWindow(contactId: $contactId) {
      __typename
      ... on QueryWhatsappWindowSuccess {
        data {
          isOpen
          closesAt
        }
      }
    }
  }
`);

/** Both send mutations answer the same members: one fragment each, shared by the two. */
export const SendSuccessFragment = graphql(`
  fragment SendSuccess on SendWhatsAppSuccess {
    messageId
    message
    queued
    recipient
    phone
    whatsAppMessage {
      ...ChatMessage
    }
  }
`);

export const SendRefusalFragments = graphql(`
  fragment SendRefusal on Error {
    message
    ... on WhatsAppNotConfiguredError {
      missing
    }
    ... on InvalidPhoneNumberError {
      reason
    }
    ... on ValidationError {
      fieldErrors {
        field
        message
      }
    }
    ... on WindowClosedError {
      closedAt
    }
    ... on SendFailedError {
      code
      title
      details
      failedMessageId: messageId
    }
  }
`);

export const SendWhatsAppMutation = graphql(`
  mutation SendWhatsApp($input: SendWhatsAppInput!) {
    sendWhatsApp(input: $input) {
      __typename
      ...SendSuccess
      ...SendRefusal
    }
  }
`);

export const SendWhatsAppTemplateMutation = graphql(`
  mutation SendWhatsAppTemplate($input: SendWhatsAppTemplateInput!) {
    sendWhatsAppTemplate(input: $input) {
      __typename
      ...SendSuccess
      ...SendRefusal
    }
  }
`);
