import { graphql } from "./generated";

/** A refused input: the summary and one message per field, shown under each field (useFieldErrors). */
export const FieldErrorsFragment = graphql(`
  fragment FieldErrors on ValidationError {
    message
    fieldErrors {
      field
      message
    }
  }
`);
