import { builder } from "../graphql/builder.ts";
import { inboxEvents } from "../realtime/pubsub.ts";
import { pipe, filter, map } from "graphql-yoga";
import { historyImportState, type HistoryImportState } from "./history-import.ts";

const HistoryImportStateEnum = builder.enumType("HistoryImportState", {
  values: {
    IMPORTING: { description: "Chunks are arriving or being imported." },
    COMPLETE: { description: "Meta reported 100 % and every chunk is imported." },
    DECLINED: { description: "The business declined to share its chat history in the WhatsApp Business app (Meta's error 2593109)." },
    FAILED: { description: "Meta reported another error instead of the history." },
  } as const,
});

const HistoryImportType = builder.objectRef<HistoryImportState>("HistoryImport").implement({
  description: "A business number's import of the WhatsApp Business app's chat history (coexistence).",
  fields: (t) => ({
    phoneNumberId: t.exposeString("phoneNumberId"),
    state: t.field({ type: HistoryImportStateEnum, resolve: (row) => row.state }),
    phase: t.exposeInt("phase", { nullable: true, description: "Meta's phase: 0 (day 0–1), 1 (days 1–90), 2 (days 90–180)." }),
    progress: t.exposeInt("progress", { description: "Meta's overall progress in percent." }),
    chunks: t.exposeInt("chunks", { description: "History webhooks imported." }),
    chunksWaiting: t.exposeInt("chunksWaiting", { description: "History webhooks received and not imported yet." }),
    threads: t.exposeInt("threads", { description: "Conversations with imported messages." }),
    messages: t.exposeInt("messages", { description: "Messages imported (both directions)." }),
    mediaWaiting: t.exposeInt("mediaWaiting", { description: "Media messages waiting for Meta's follow-up or being downloaded." }),
    mediaFetched: t.exposeInt("mediaFetched", { description: "Media downloaded and kept." }),
    mediaExpired: t.exposeInt("mediaExpired", { description: "Media Meta no longer has (older than 14 days at onboarding, or expired)." }),
    errorCode: t.exposeInt("errorCode", { nullable: true }),
    errorTitle: t.exposeString("errorTitle", { nullable: true }),
    startedAt: t.expose("startedAt", { type: "DateTime" }),
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true }),
  }),
});

builder.queryFields((t) => ({
  historyImports: t.field({
    type: [HistoryImportType],
    description: "The workspace's history imports, one per business number whose WhatsApp Business app history Meta sent (or declined).",
    resolve: async (_root, _args, { db, viewer }) => {
      const rows = await db.historyImport.findMany({ where: { workspaceId: viewer.workspaceId }, orderBy: { startedAt: "asc" }, select: { phoneNumberId: true } });
      const states = await Promise.all(rows.map((row) => historyImportState(db, viewer.workspaceId, row.phoneNumberId)));
      return states.filter((state) => state !== null);
    },
  }),
  historyImport: t.field({
    type: HistoryImportType,
    nullable: true,
    description: "Where the import of a business number's WhatsApp Business app chat history stands; null before Meta sent any of it.",
    args: { phoneNumberId: t.arg.string({ required: true }) },
    resolve: (_root, args, { db, viewer }) => historyImportState(db, viewer.workspaceId, args.phoneNumberId),
  }),
}));

builder.subscriptionFields((t) => ({
  historyImportUpdated: t.field({
    type: HistoryImportType,
    nullable: true,
    description: "The number's history import after each imported chunk: feeds a progress bar.",
    args: { phoneNumberId: t.arg.string({ required: true }) },
    subscribe: (_root, args, context) =>
      pipe(
        inboxEvents(context, "historyImportUpdated"),
        filter((event) => event.phoneNumberId === args.phoneNumberId),
        map(() => null),
      ),
    resolve: (_root, args, { db, viewer }) => historyImportState(db, viewer.workspaceId, args.phoneNumberId),
  }),
}));
