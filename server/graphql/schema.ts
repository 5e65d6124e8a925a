import { builder } from "./builder.ts";
import "./errors.graphql.ts";
import "../auth/auth.graphql.ts";
import "../autoreply/autoreply.graphql.ts";
import "../campaigns/campaigns.graphql.ts";
import "../contacts/contacts.graphql.ts";
import "../inbox/inbox.graphql.ts";
import "../inbox/send.graphql.ts";
import "../inbox/reactions.graphql.ts";
import "../templates/templates.graphql.ts";
import "../media/media.graphql.ts";
import "../reports/reports.graphql.ts";
import "../team/team.graphql.ts";
import "../workflow/workflow.graphql.ts";

export const schema = builder.toSchema({ sortSchema: true });
