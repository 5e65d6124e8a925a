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

/** Any refusal: its message, and the fields it names when it is a ValidationError. */
export const RefusalFragment = graphql(`
  fragment Refusal on Error {
    message
    ...FieldErrors
  }
`);
