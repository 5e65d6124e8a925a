// The conversation's workflow enums: inbox.graphql.ts filters the list by them, and
// workflow/ (which builds on the inbox, never the other way) sets them.
import { ConversationStatus } from "../generated/prisma/enums.ts";
import { builder } from "../graphql/builder.ts";

export const ConversationStatusType = builder.enumType(ConversationStatus, {
  name: "ConversationStatus",
  description: "OPEN until an agent resolves it; a new customer message opens it again.",
});

export const ConversationAssigneeFilterType = builder.enumType("ConversationAssigneeFilter", {
  values: { MINE: { description: "Assigned to the caller" }, UNASSIGNED: { description: "Assigned to nobody" } } as const,
});
