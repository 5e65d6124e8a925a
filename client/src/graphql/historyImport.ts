import { graphql } from "./generated";

export const HistoryImportFieldsFragment = graphql(`
  fragment HistoryImportFields on HistoryImport {
    phoneNumberId
    state
    phase
    progress
    chunks
    chunksWaiting
    threads
    messages
    mediaWaiting
    mediaFetched
    mediaExpired
    errorCode
    errorTitle
    startedAt
    completedAt
  }
`);

export const HistoryImportQuery = graphql(`
  query HistoryImport($phoneNumberId: String!) {
    historyImport(phoneNumberId: $phoneNumberId) {
      ...HistoryImportFields
    }
  }
`);

export const HistoryImportsQuery = graphql(`
  query HistoryImports {
    historyImports {
      phoneNumberId
    }
  }
`);

export const HistoryImportUpdatedSubscription = graphql(`
  subscription HistoryImportUpdated($phoneNumberId: String!) {
    historyImportUpdated(phoneNumberId: $phoneNumberId) {
      ...HistoryImportFields
    }
  }
`);
