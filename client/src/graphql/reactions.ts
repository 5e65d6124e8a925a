import { graphql } from "./generated";

/** Our emoji on a message (empty removes it); answers the message with its reactions now. */
export const ReactToMessageMutation = graphql(`
  mutation ReactToMessage($messageId: ID!, $emoji: String!) {
    reactToMessage(messageId: $messageId, emoji: $emoji) {
      __typename
      ... on MutationReactToMessageSuccess {
        reactedMessage {
          ...ChatMessage
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

/** "typing…" for the customer while an agent writes. */
export const SendTypingIndicatorMutation = graphql(`
  mutation SendTypingIndicator($conversationId: ID!) {
    sendTypingIndicator(conversationId: $conversationId) {
      __typename
    }
  }
`);
