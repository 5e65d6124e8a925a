import { NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { MessageDirectionType } from "./inbox.graphql.ts";
import { createReactionLoader, sendTypingIndicator, type MessageReaction } from "./reactions.service.ts";
import { WhatsAppNotConfiguredError } from "../whatsapp-numbers/number-directory.ts";
import { SendFailedError, WindowClosedError } from "./send-errors.ts";
import { reactToMessage } from "./reactions.service.ts";

const MessageReactionType = builder.objectRef<MessageReaction>("MessageReaction").implement({
  description: "An emoji on a message: the latest of the customer (INBOUND) and the latest of ours (OUTBOUND).",
  fields: (t) => ({
    emoji: t.exposeString("emoji"),
    direction: t.expose("direction", { type: MessageDirectionType }),
    timestamp: t.expose("timestamp", { type: "DateTime" }),
  }),
});

/** One loader per request and workspace: a chat page's reactions in one query. */
const loaders = new WeakMap<object, ReturnType<typeof createReactionLoader>>();
function reactionLoader(context: GraphQLContext) {
  let loader = loaders.get(context);
  if (!loader) loaders.set(context, (loader = createReactionLoader(context.db, context.viewer.workspaceId)));
  return loader;
}

builder.prismaObjectFields("WhatsAppMessage", (t) => ({
  reactions: t.field({
    type: [MessageReactionType],
    description: "The emoji on this message now: the customer's and ours, each the latest.",
    select: { wamid: true },
    resolve: (message, _args, context) => (message.wamid ? reactionLoader(context)(message.wamid) : []),
  }),
  reactedTo: t.prismaField({
    type: "WhatsAppMessage",
    nullable: true,
    description: "For a reaction: the message it is on, when stored (its `reactions` then include this one).",
    select: { reactionToWamid: true, workspaceId: true },
    resolve: (query, message, _args, { db }) =>
      message.reactionToWamid ? db.whatsAppMessage.findFirst({ ...query, where: { wamid: message.reactionToWamid, workspaceId: message.workspaceId } }) : null,
  }),
}));

builder.mutationFields((t) => ({
  reactToMessage: t.prismaField({
    type: "WhatsAppMessage",
    description: "Puts our emoji on a message of the conversation (an empty emoji removes it), inside the 24-hour window. Answers the message reacted to.",
    errors: { types: [WhatsAppNotConfiguredError, ValidationError, NotFoundError, WindowClosedError, SendFailedError], dataField: { name: "reactedMessage" } },
    args: { messageId: t.arg.id({ required: true }), emoji: t.arg.string({ required: true }) },
    resolve: async (query, _root, args, context) => {
      const { target } = await reactToMessage(context, context.viewer, { messageId: String(args.messageId), emoji: args.emoji });
      return context.db.whatsAppMessage.findUniqueOrThrow({ ...query, where: { id: target.id } });
    },
  }),
  sendTypingIndicator: t.field({
    type: "Boolean",
    description:
      "Shows the customer “typing…” (with a read receipt for their latest message) while an agent writes; call it at most every 20 s. False when it cannot be shown.",
    errors: { types: [NotFoundError], dataField: { name: "shown" } },
    args: { conversationId: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => sendTypingIndicator(context, context.viewer.workspaceId, String(args.conversationId)),
  }),
}));
