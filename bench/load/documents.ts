/**
 * The GraphQL documents the benchmark sends: the fields the Vue inbox asks for
 * (client/src/graphql/inbox.ts: ConversationSummary, ChatMessage), against schema.graphql.
 * Copied rather than imported, so that the benchmark does not depend on generated client code.
 */
const CONVERSATION_SUMMARY = `
  id waId phone displayName profileName contact { id name }
  lastMessageAt lastMessagePreview unreadCount lastInboundAt windowOpen windowClosesAt`;

const CHAT_MESSAGE = `
  id wamid conversationId direction type text preview status timestamp errorCode errorTitle errorDetails
  mediaMimeType mediaFilename latitude longitude locationName locationAddress reactionEmoji reactionToWamid
  contextWamid templateName quoted { id direction type text preview }`;

/** The inbox's conversation list page (and its search box): `first: 30` is the client's page. */
export const CONVERSATIONS_QUERY = `query Conversations($first: Int!, $after: String, $search: String) {
  conversations(first: $first, after: $after, search: $search) {
    edges { node { ${CONVERSATION_SUMMARY} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** A chat's history: `last: 50` is the newest page. */
export const MESSAGES_QUERY = `query Messages($conversationId: ID!, $last: Int!, $before: String) {
  messages(conversationId: $conversationId, last: $last, before: $before) {
    edges { node { ${CHAT_MESSAGE} } }
    pageInfo { hasPreviousPage startCursor }
  }
}`;

/** What issue 7 asks each push subscriber to listen to. */
export const MESSAGE_ADDED_SUBSCRIPTION = "subscription { messageAdded { id text } }";

/** The polling contrast's push side: one conversation's new messages. */
export const CONVERSATION_MESSAGE_ADDED_SUBSCRIPTION = "subscription ($conversationId: ID) { messageAdded(conversationId: $conversationId) { id text } }";

export const CONVERSATIONS_PAGE_SIZE = 30;
export const MESSAGES_PAGE_SIZE = 50;
