// The workflow's enums on their own: inbox.graphql.ts filters conversations by them, and
// workflow.graphql.ts (which uses the inbox's subscriptions helper) exposes them; no import cycle.
import { ConversationStatus } from "../generated/prisma/enums.ts";
import { builder } from "../graphql/builder.ts";

export const ConversationStatusType = builder.enumType(ConversationStatus, {
  name: "ConversationStatus",
  description: "OPEN until an agent resolves it; a new customer message opens it again.",
});

export const ConversationAssigneeFilterType = builder.enumType("ConversationAssigneeFilter", {
  values: { MINE: { description: "Assigned to the caller" }, UNASSIGNED: { description: "Assigned to nobody" } } as const,
});
