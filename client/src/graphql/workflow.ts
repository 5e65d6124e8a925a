import { graphql } from "./generated";

/** Assignee, status and labels: part of every conversation summary (see inbox.ts). */
export const ConversationWorkflowFragment = graphql(`
  fragment ConversationWorkflow on Conversation {
    status
    resolvedAt
    assignee {
      id
      name
    }
    labels {
      ...WorkflowLabel
    }
  }
`);

export const WorkflowLabelFragment = graphql(`
  fragment WorkflowLabel on Label {
    id
    name
    color
  }
`);

export const WorkflowNoteFragment = graphql(`
  fragment WorkflowNote on ConversationNote {
    id
    body
    createdAt
    canDelete
    author {
      id
      name
    }
  }
`);

export const WorkflowCannedResponseFragment = graphql(`
  fragment WorkflowCannedResponse on CannedResponse {
    id
    shortcut
    body
    buttons {
      id
      title
    }
  }
`);

export const AgentsQuery = graphql(`
  query WorkflowAgents {
    agents {
      id
      name
      active
    }
  }
`);

export const LabelsQuery = graphql(`
  query WorkflowLabels {
    labels {
      ...WorkflowLabel
    }
  }
`);

export const CannedResponsesQuery = graphql(`
  query WorkflowCannedResponses {
    cannedResponses {
      ...WorkflowCannedResponse
    }
  }
`);

export const AssignConversationMutation = graphql(`
  mutation AssignConversation($conversationId: ID!, $assigneeId: ID) {
    assignConversation(conversationId: $conversationId, assigneeId: $assigneeId) {
      __typename
      ... on MutationAssignConversationSuccess {
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

export const SetConversationStatusMutation = graphql(`
  mutation SetConversationStatus($conversationId: ID!, $status: ConversationStatus!) {
    setConversationStatus(conversationId: $conversationId, status: $status) {
      __typename
      ... on MutationSetConversationStatusSuccess {
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

export const AddConversationLabelMutation = graphql(`
  mutation AddConversationLabel($conversationId: ID!, $labelId: ID!) {
    addConversationLabel(conversationId: $conversationId, labelId: $labelId) {
      __typename
      ... on MutationAddConversationLabelSuccess {
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

export const RemoveConversationLabelMutation = graphql(`
  mutation RemoveConversationLabel($conversationId: ID!, $labelId: ID!) {
    removeConversationLabel(conversationId: $conversationId, labelId: $labelId) {
      __typename
      ... on MutationRemoveConversationLabelSuccess {
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

export const ConversationNotesQuery = graphql(`
  query ConversationNotes($id: ID!) {
    conversation(id: $id) {
      id
      notes {
        ...WorkflowNote
      }
    }
  }
`);

export const ConversationNotesChangedSubscription = graphql(`
  subscription ConversationNotesChanged($conversationId: ID) {
    conversationNotesChanged(conversationId: $conversationId) {
      id
      notes {
        ...WorkflowNote
      }
    }
  }
`);

export const AddConversationNoteMutation = graphql(`
  mutation AddConversationNote($conversationId: ID!, $body: String!) {
    addConversationNote(conversationId: $conversationId, body: $body) {
      __typename
      ... on MutationAddConversationNoteSuccess {
        note {
          ...WorkflowNote
        }
      }
      ...Refusal
    }
  }
`);

export const DeleteConversationNoteMutation = graphql(`
  mutation DeleteConversationNote($id: ID!) {
    deleteConversationNote(id: $id) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

/*
 * The catalog mutations below are written alike — the answer as `result`, a saved item as
 * `item`, every refusal as `...Refusal` — so that one function reads them all (useWorkflowSettings).
 */
export const CreateLabelMutation = graphql(`
  mutation CreateLabel($input: LabelInput!) {
    result: createLabel(input: $input) {
      __typename
      ... on MutationCreateLabelSuccess {
        item: label {
          ...WorkflowLabel
        }
      }
      ...Refusal
    }
  }
`);

export const UpdateLabelMutation = graphql(`
  mutation UpdateLabel($id: ID!, $input: LabelInput!) {
    result: updateLabel(id: $id, input: $input) {
      __typename
      ... on MutationUpdateLabelSuccess {
        item: label {
          ...WorkflowLabel
        }
      }
      ...Refusal
    }
  }
`);

export const DeleteLabelMutation = graphql(`
  mutation DeleteLabel($id: ID!) {
    result: deleteLabel(id: $id) {
      __typename
      ...Refusal
    }
  }
`);

export const CreateCannedResponseMutation = graphql(`
  mutation CreateCannedResponse($input: CannedResponseInput!) {
    result: createCannedResponse(input: $input) {
      __typename
      ... on MutationCreateCannedResponseSuccess {
        item: cannedResponse {
          ...WorkflowCannedResponse
        }
      }
      ...Refusal
    }
  }
`);

export const UpdateCannedResponseMutation = graphql(`
  mutation UpdateCannedResponse($id: ID!, $input: CannedResponseInput!) {
    result: updateCannedResponse(id: $id, input: $input) {
      __typename
      ... on MutationUpdateCannedResponseSuccess {
        item: cannedResponse {
          ...WorkflowCannedResponse
        }
      }
      ...Refusal
    }
  }
`);

export const DeleteCannedResponseMutation = graphql(`
  mutation DeleteCannedResponse($id: ID!) {
    result: deleteCannedResponse(id: $id) {
      __typename
      ...Refusal
    }
  }
`);
