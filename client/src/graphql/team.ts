import { graphql } from "./generated";

export const TeamAgentFieldsFragment = graphql(`
  fragment TeamAgentFields on User {
    id
    name
    email
    role
    active
    lastSeenAt
  }
`);

export const TeamInviteFieldsFragment = graphql(`
  fragment TeamInviteFields on Invite {
    id
    email
    name
    role
    url
    expiresAt
  }
`);

export const TeamQuery = graphql(`
  query Team {
    agents {
      ...TeamAgentFields
    }
    invites {
      __typename
      ... on QueryInvitesSuccess {
        invites {
          ...TeamInviteFields
        }
      }
    }
  }
`);

export const InviteAgentMutation = graphql(`
  mutation InviteAgent($input: InviteAgentInput!) {
    inviteAgent(input: $input) {
      __typename
      ... on MutationInviteAgentSuccess {
        invite {
          ...TeamInviteFields
        }
      }
      ...Refusal
    }
  }
`);

export const RevokeInviteMutation = graphql(`
  mutation RevokeInvite($id: ID!) {
    revokeInvite(id: $id) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

export const CreatePasswordResetLinkMutation = graphql(`
  mutation CreatePasswordResetLink($userId: ID!) {
    createPasswordResetLink(userId: $userId) {
      __typename
      ... on MutationCreatePasswordResetLinkSuccess {
        invite {
          ...TeamInviteFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const SetAgentRoleMutation = graphql(`
  mutation SetAgentRole($id: ID!, $role: UserRole!) {
    setAgentRole(id: $id, role: $role) {
      __typename
      ... on MutationSetAgentRoleSuccess {
        agent {
          ...TeamAgentFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const DeactivateAgentMutation = graphql(`
  mutation DeactivateAgent($id: ID!) {
    deactivateAgent(id: $id) {
      __typename
      ... on MutationDeactivateAgentSuccess {
        agent {
          ...TeamAgentFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const ReactivateAgentMutation = graphql(`
  mutation ReactivateAgent($id: ID!) {
    reactivateAgent(id: $id) {
      __typename
      ... on MutationReactivateAgentSuccess {
        agent {
          ...TeamAgentFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const WorkspaceSettingsQuery = graphql(`
  query WorkspaceSettings {
    viewer {
      id
      workspace {
        id
        name
        timeZone
        optOutKeywords
      }
    }
  }
`);

export const UpdateWorkspaceSettingsMutation = graphql(`
  mutation UpdateWorkspaceSettings($input: WorkspaceSettingsInput!) {
    updateWorkspaceSettings(input: $input) {
      __typename
      ... on MutationUpdateWorkspaceSettingsSuccess {
        workspace {
          id
          name
          timeZone
          optOutKeywords
        }
      }
      ...Refusal
    }
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {
      __typename
      ...FieldErrors
    }
  }
`);
