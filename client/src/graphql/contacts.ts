import { graphql } from "./generated";

/** What a contact card shows: also the shape the list keeps in memory. */
export const ContactSummaryFragment = graphql(`
  fragment ContactSummary on Contact {
    id
    name
    company
    email
    whatsappNumber
    formattedWhatsappNumber
    whatsappLink
  }
`);

/** The contact's marketing consent, as the contact page and the inbox show it. */
export const ContactConsentFragment = graphql(`
  fragment ContactConsent on Contact {
    id
    marketingConsent
    marketingConsentAt
    marketingConsentSource
  }
`);

export const SetContactMarketingConsentMutation = graphql(`
  mutation SetContactMarketingConsent($contactId: ID!, $state: MarketingConsent!, $source: String) {
    setContactMarketingConsent(contactId: $contactId, state: $state, source: $source) {
      __typename
      ... on MutationSetContactMarketingConsentSuccess {
        contact {
          ...ContactConsent
        }
      }
      ...FieldErrors
      ... on NotFoundError {
        message
      }
    }
  }
`);

/** Everything the contact page and the edit form need. */
export const ContactDetailsFragment = graphql(`
  fragment ContactDetails on Contact {
    id
    name
    company
    email
    notes
    whatsappNumber
    formattedWhatsappNumber
    whatsappLink
    conversation {
      id
    }
    removedFromPhoneAt
    customFields {
      key
      value
    }
    labels {
      ...WorkflowLabel
    }
    ...ContactConsent
    createdAt
    updatedAt
  }
`);

export const ContactsQuery = graphql(`
  query Contacts($first: Int!, $after: String, $search: String) {
    contacts(first: $first, after: $after, search: $search) {
      edges {
        node {
          ...ContactSummary
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ContactQuery = graphql(`
  query Contact($id: ID!) {
    contact(id: $id) {
      ...ContactDetails
    }
  }
`);

export const CreateContactMutation = graphql(`
  mutation CreateContact($input: ContactInput!, $conversationId: ID) {
    createContact(input: $input, conversationId: $conversationId) {
      __typename
      ... on MutationCreateContactSuccess {
        contact {
          ...ContactDetails
        }
      }
      ...FieldErrors
      ... on NotFoundError {
        message
      }
    }
  }
`);

export const UpdateContactMutation = graphql(`
  mutation UpdateContact($id: ID!, $input: ContactInput!) {
    updateContact(id: $id, input: $input) {
      __typename
      ... on MutationUpdateContactSuccess {
        contact {
          ...ContactDetails
        }
      }
      ...FieldErrors
      ... on NotFoundError {
        message
      }
    }
  }
`);

export const DeleteContactMutation = graphql(`
  mutation DeleteContact($id: ID!) {
    deleteContact(id: $id) {
      __typename
      ... on MutationDeleteContactSuccess {
        deleted {
          id
        }
      }
      ... on NotFoundError {
        message
      }
    }
  }
`);

/** The workspace's custom field keys (CSV import columns): campaign variables may take them. */
export const ContactCustomFieldsQuery = graphql(`
  query ContactCustomFields {
    contactCustomFields
  }
`);

export const ImportContactsMutation = graphql(`
  mutation ImportContacts($input: ImportContactsInput!) {
    importContacts(input: $input) {
      __typename
      ... on MutationImportContactsSuccess {
        report {
          imported
          dryRun
          rows
          created
          updated
          customFields
          refused {
            line
            column
            value
            reason
          }
        }
      }
      ... on Error {
        message
      }
      ...FieldErrors
    }
  }
`);
