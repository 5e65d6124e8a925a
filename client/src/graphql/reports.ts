import { graphql } from "./generated";

export const CostEstimateFieldsFragment = graphql(`
  fragment CostEstimateFields on CostEstimate {
    currency
    amount
    billableMessages
    unpricedMessages
    lines {
      category
      country
      messages
      rate
      amount
    }
  }
`);

export const DeliveryReportQuery = graphql(`
  query DeliveryReport($from: String!, $to: String!) {
    deliveryReport(from: $from, to: $to) {
      __typename
      ... on QueryDeliveryReportSuccess {
        report {
          from
          to
          timeZone
          totals {
            inbound
            outbound
            attempted
            delivered
            read
            failed
            deliveryRate
            readRate
          }
          days {
            date
            inbound
            outbound
            delivered
            read
            failed
            deliveryRate
            readRate
            estimatedCost
          }
          busiestHours {
            hour
            inbound
          }
          failures {
            code
            title
            count
          }
          firstResponse {
            medianSeconds
            answered
            unanswered
          }
          cost {
            ...CostEstimateFields
          }
        }
      }
      ... on ValidationError {
        message
      }
    }
  }
`);

/** The contact panel asks for one conversation's cost on its own: the inbox list never pays for it. */
export const ConversationCostQuery = graphql(`
  query ConversationCost($id: ID!) {
    conversation(id: $id) {
      id
      estimatedCost {
        ...CostEstimateFields
      }
    }
  }
`);
