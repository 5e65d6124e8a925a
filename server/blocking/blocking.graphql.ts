import { NotFoundError } from "../errors.ts";
import { WhatsAppNotConfiguredError } from "../whatsapp-numbers/number-directory.ts";
import { builder } from "../graphql/builder.ts";
import { ErrorInterface } from "../graphql/errors.graphql.ts";
import { ConversationType } from "../inbox/inbox.graphql.ts";
import { BlockRefusedError, blockCustomer, unblockCustomer } from "./blocking.service.ts";

builder.objectType(BlockRefusedError, {
  name: "BlockRefusedError",
  description: "WhatsApp would not block (or unblock) this customer: e.g. they have not written in the last 24 hours.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ code: t.int({ nullable: true, description: "Meta's error code, when Meta refused.", resolve: (error) => error.metaCode }) }),
});

builder.prismaObjectFields("Conversation", (t) => ({
  blockedAt: t.expose("blockedAt", { type: "DateTime", nullable: true, description: "When the customer was blocked; null while not blocked." }),
  blocked: t.boolean({ select: { blockedAt: true }, resolve: (conversation) => conversation.blockedAt !== null }),
}));

const BLOCK_ERRORS = [NotFoundError, BlockRefusedError, WhatsAppNotConfiguredError];

builder.mutationFields((t) => ({
  blockCustomer: t.field({
    type: ConversationType,
    description:
      "Blocks the customer at WhatsApp: they can no longer write to the business, nor the business to them, and the conversation leaves the Open list. Meta allows it only within 24 hours of the customer's last message.",
    errors: { types: BLOCK_ERRORS, dataField: { name: "conversation" } },
    args: { conversationId: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => blockCustomer(context, context.viewer.workspaceId, String(args.conversationId)),
  }),
  unblockCustomer: t.field({
    type: ConversationType,
    description: "Unblocks the customer at WhatsApp; allowed at any time.",
    errors: { types: BLOCK_ERRORS, dataField: { name: "conversation" } },
    args: { conversationId: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => unblockCustomer(context, context.viewer.workspaceId, String(args.conversationId)),
  }),
}));
