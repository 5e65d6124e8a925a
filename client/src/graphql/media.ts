import { graphql } from "./generated";

/** Sends a file uploaded with POST /api/media/uploads; answers like the other sends. */
export const SendWhatsAppMediaMutation = graphql(`
  mutation SendWhatsAppMedia($input: SendWhatsAppMediaInput!) {
    sendWhatsAppMedia(input: $input) {
      __typename
      ...SendSuccess
      ...SendRefusal
    }
  }
`);
