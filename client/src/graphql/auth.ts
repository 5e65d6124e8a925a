import { graphql } from "./generated";

/**
 * The signed-in user as the session routes (GET /api/auth/session, POST /api/auth/login) answer
 * it: the fields of the schema's User, so that the codegen types them (`SessionUserFragment`)
 * rather than a hand-written copy that could drift from the server's roles.
 */
export const SessionUserFragment = graphql(`
  fragment SessionUser on User {
    id
    name
    email
    role
  }
`);
