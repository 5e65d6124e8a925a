import { builder } from "./builder.ts";
import "./errors.graphql.ts";
import "../auth/auth.graphql.ts";
import "../autoreply/autoreply.graphql.ts";
import "../contacts/contacts.graphql.ts";
import "../inbox/inbox.graphql.ts";
import "../inbox/send.graphql.ts";
import "../inbox/reactions.graphql.ts";
import "../inbox/send-interactive.graphql.ts";
import "../blocking/blocking.graphql.ts";
import "../inbox/history-import.graphql.ts";
import "../templates/templates.graphql.ts";
import "../media/media.graphql.ts";
import "../reports/reports.graphql.ts";
import "../team/team.graphql.ts";
import "../workflow/workflow.graphql.ts";
import "../whatsapp-numbers/whatsapp-numbers.graphql.ts";

export const schema = builder.toSchema({ sortSchema: true });
