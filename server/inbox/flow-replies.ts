import { queryChunks, type DriverTransaction } from "../db/driver-transaction.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { NewMessage } from "./ingest-messages.ts";

/**
 * A Flow's submission names its form by the `flow_token` we sent with it (Meta does not always
 * quote the form message): answers, by the submission's wamid, the wamid of the form it answers.
 */
export async function formsAnswered(tx: DriverTransaction, fresh: NewMessage[]): Promise<Map<string, string>> {
  const submissions = fresh.filter(({ event }) => event.content.kind === "formReply" && event.content.flowToken && !event.replyToWamid);
  if (submissions.length === 0) return new Map();
  const tokens = [...new Set(submissions.map(({ event }) => (event.content as { flowToken: string }).flowToken))];
  const forms = await queryChunks<{ wamid: string | null; flowToken: string; workspaceId: string }, string>(
    tx,
    tokens,
    (chunk) =>
      Prisma.sql`SELECT "wamid", "flowToken", "workspaceId" FROM "WhatsAppMessage" WHERE "flowToken" IN (${Prisma.join(chunk)}) AND "direction" = 'OUTBOUND'`,
  );
  const answered = new Map<string, string>();
  for (const { event, workspaceId } of submissions) {
    const token = (event.content as { flowToken: string }).flowToken;
    const form = forms.find((candidate) => candidate.flowToken === token && candidate.workspaceId === workspaceId && candidate.wamid);
    if (form?.wamid) answered.set(event.wamid, form.wamid);
  }
  return answered;
}
