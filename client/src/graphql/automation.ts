import { graphql } from "./generated";

export const AutoReplyRuleFieldsFragment = graphql(`
  fragment AutoReplyRuleFields on AutoReplyRule {
    id
    kind
    keywords
    reply
    enabled
    position
  }
`);

export const AutoReplySettingsFieldsFragment = graphql(`
  fragment AutoReplySettingsFields on AutoReplySettings {
    timeZone
    businessHours {
      day
      opens
      closes
    }
    aiRepliesEnabled
    aiAvailable
    openNow
    agentActiveMinutes
  }
`);

export const AutomationQuery = graphql(`
  query Automation {
    autoReplyRules {
      ...AutoReplyRuleFields
    }
    autoReplySettings {
      ...AutoReplySettingsFields
    }
  }
`);

export const CreateAutoReplyRuleMutation = graphql(`
  mutation CreateAutoReplyRule($input: AutoReplyRuleInput!) {
    createAutoReplyRule(input: $input) {
      __typename
      ... on MutationCreateAutoReplyRuleSuccess {
        rule {
          ...AutoReplyRuleFields
        }
      }
      ...FieldErrors
    }
  }
`);

export const UpdateAutoReplyRuleMutation = graphql(`
  mutation UpdateAutoReplyRule($id: ID!, $input: AutoReplyRuleUpdateInput!) {
    updateAutoReplyRule(id: $id, input: $input) {
      __typename
      ... on MutationUpdateAutoReplyRuleSuccess {
        rule {
          ...AutoReplyRuleFields
        }
      }
      ...FieldErrors
      ... on NotFoundError {
        message
      }
    }
  }
`);

export const DeleteAutoReplyRuleMutation = graphql(`
  mutation DeleteAutoReplyRule($id: ID!) {
    deleteAutoReplyRule(id: $id) {
      __typename
      ... on MutationDeleteAutoReplyRuleSuccess {
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

export const UpdateAutoReplySettingsMutation = graphql(`
  mutation UpdateAutoReplySettings($input: AutoReplySettingsInput!) {
    updateAutoReplySettings(input: $input) {
      __typename
      ... on MutationUpdateAutoReplySettingsSuccess {
        settings {
          ...AutoReplySettingsFields
        }
      }
      ...FieldErrors
    }
  }
`);
