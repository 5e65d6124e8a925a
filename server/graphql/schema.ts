import { builder } from "./builder.ts";
import "./errors.graphql.ts";
import "../auth/auth.graphql.ts";
import "../contacts/contacts.graphql.ts";
import "../inbox/inbox.graphql.ts";
import "../inbox/send.graphql.ts";

export const schema = builder.toSchema({ sortSchema: true });
