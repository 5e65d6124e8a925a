import { graphql } from "./generated";

/** What a conversation list entry, the chat header and the details panel show. */
export const ConversationSummaryFragment = graphql(`
  fragment ConversationSummary on Conversation {
    id
    waId
    phone
    formattedPhone
    userId
    username
    displayName
    profileName
    contact {
      id
      name
      marketingConsent
      marketingConsentSource
    }
    lastMessageAt
    lastMessagePreview
    unreadCount
    lastInboundAt
    windowOpen
    windowClosesAt
    businessPhoneNumber {
      phoneNumberId
      displayPhoneNumber
    }
    blocked
    ...ConversationWorkflow
  }
`);

/** The workspace's WhatsApp numbers: which number a conversation is on, and the filter by number. */
export const InboxNumbersQuery = graphql(`
  query InboxNumbers {
    whatsappNumbers {
      phoneNumberId
      displayPhoneNumber
    }
  }
`);

/** Everything a chat bubble can show; `quoted` is the message a reply quotes. */
export const ChatMessageFragment = graphql(`
  fragment ChatMessage on WhatsAppMessage {
    id
    wamid
    conversationId
    direction
    type
    text
    preview
    status
    timestamp
    errorCode
    errorTitle
    errorDetails
    mediaMimeType
    mediaFilename
    latitude
    longitude
    locationName
    locationAddress
    reactionEmoji
    reactionToWamid
    contextWamid
    templateName
    autoReply
    interactive {
      kind
      header
      body
      footer
      buttons {
        id
        title
      }
      list {
        button
        sections {
          title
          rows {
            id
            title
            description
          }
        }
      }
      ctaUrl {
        displayText
        url
      }
      flow {
        flowCta
      }
    }
    contactCards {
      name
      phones
      emails
      organization
    }
    answer {
      kind
      id
      title
      description
      formName
      fields {
        key
        label
        value
      }
      address
      orderItems {
        productId
        quantity
        itemPrice
        currency
      }
      orderTotal
      orderCurrency
      callsAllowed
      callsAllowedUntil
    }
    fromBusinessApp
    media {
      state
      url
      mimeType
      filename
      size
    }
    quoted {
      id
      direction
      type
      text
      preview
    }
    reactions {
      emoji
      direction
    }
    reactedTo {
      id
      reactions {
        emoji
        direction
      }
    }
  }
`);

export const ConversationsQuery = graphql(`
  query Conversations(
    $first: Int!
    $after: String
    $search: String
    $status: ConversationStatus
    $assignee: ConversationAssigneeFilter
    $labelId: ID
    $phoneNumberId: String
  ) {
    conversations(
      first: $first
      after: $after
      search: $search
      status: $status
      assignee: $assignee
      labelId: $labelId
      phoneNumberId: $phoneNumberId
    ) {
      edges {
        node {
          ...ConversationSummary
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ConversationQuery = graphql(`
  query Conversation($id: ID!) {
    conversation(id: $id) {
      ...ConversationSummary
    }
  }
`);

export const MessagesQuery = graphql(`
  query Messages($conversationId: ID!, $last: Int!, $before: String) {
    messages(conversationId: $conversationId, last: $last, before: $before) {
      edges {
        node {
          ...ChatMessage
        }
      }
      pageInfo {
        hasPreviousPage
        startCursor
      }
    }
  }
`);

export const MarkConversationReadMutation = graphql(`
  mutation MarkConversationRead($id: ID!) {
    markConversationRead(id: $id) {
      __typename
      ... on MutationMarkConversationReadSuccess {
        conversation {
          ...ConversationSummary
        }
      }
    }
  }
`);

export const ConversationUpdatedSubscription = graphql(`
  subscription ConversationUpdated {
    conversationUpdated {
      ...ConversationSummary
    }
  }
`);

export const MessageAddedSubscription = graphql(`
  subscription MessageAdded($conversationId: ID) {
    messageAdded(conversationId: $conversationId) {
      ...ChatMessage
    }
  }
`);

export const MessageStatusChangedSubscription = graphql(`
  subscription MessageStatusChanged($conversationId: ID) {
    messageStatusChanged(conversationId: $conversationId) {
      ...ChatMessage
    }
  }
`);

/** A message changed other than its status: e.g. its photo was downloaded (or expired). */
export const MessageUpdatedSubscription = graphql(`
  subscription MessageUpdated($conversationId: ID) {
    messageUpdated(conversationId: $conversationId) {
      ...ChatMessage
    }
  }
`);

/** Every customer message of the workspace, as little of it as a desktop notification needs. */
export const IncomingMessageSubscription = graphql(`
  subscription IncomingMessage {
    messageAdded {
      id
      conversationId
      direction
      type
      preview
    }
  }
`);
