import type { DriverTransaction } from "../db/driver-transaction.ts";
import { statementChunks, type SqlValues } from "../db/sql-values.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { MessageStatus } from "../generated/prisma/enums.ts";
import type { StatusEvent } from "../whatsapp/webhook-events.ts";

/**
 * Every outbox send carries its row's id as `biz_opaque_callback_data`, which Meta echoes in the
 * message's status webhooks. A status then names its row even when the answer that gave the
 * wamid was never recorded (the sending instance died between Meta's acceptance and the write) or
 * has not been yet (a status overtaking its answer). The prefix tells our rows from what another
 * tool on the same business account may put there.
 */
const PREFIX = "outbox:";

export const callbackDataOf = (messageId: string) => `${PREFIX}${messageId}`;

function messageIdOf(callbackData: string | null): string | null {
  return callbackData?.startsWith(PREFIX) ? callbackData.slice(PREFIX.length) : null;
}

/** An outgoing message as the status ingest reads it. */
export interface AdoptedMessage {
  id: string;
  wamid: string;
  conversationId: string;
  workspaceId: string;
  status: MessageStatus;
}

/**
 * Gives the wamid of each status whose message is not known by it to the outbox row its callback
 * data names, if that row has no wamid yet and belongs to the workspace of the status's number.
 * The row is then Meta's: its lease, retry time and unknown-outcome mark are cleared, so that no
 * worker sends it again. Answers the rows adopted (the caller then applies the statuses by wamid).
 * A row that already has a wamid keeps it: a status of an earlier attempt changes nothing.
 */
export async function adoptByCallbackData(
  tx: DriverTransaction,
  sql: SqlValues,
  owners: Map<string, string>,
  statuses: ReadonlyArray<{ event: StatusEvent }>,
): Promise<AdoptedMessage[]> {
  const claims = new Map<string, { wamid: string; workspaceId: string }>();
  for (const { event } of statuses) {
    const id = messageIdOf(event.callbackData);
    const workspaceId = owners.get(event.phoneNumberId);
    if (id && workspaceId && !claims.has(id)) claims.set(id, { wamid: event.wamid, workspaceId });
  }
  if (claims.size === 0) return [];
  const adopted: AdoptedMessage[] = [];
  const now = sql.dateTime(new Date());
  for (const chunk of statementChunks([...claims])) {
    const rows = chunk.map(([id, { wamid, workspaceId }]) => Prisma.sql`(${sql.text(id)}, ${sql.text(wamid)}, ${sql.text(workspaceId)})`);
    adopted.push(
      ...(await tx.query<AdoptedMessage>(Prisma.sql`
        WITH named (id, wamid, workspace_id) AS (VALUES ${Prisma.join(rows)})
        UPDATE "WhatsAppMessage" SET
          "wamid" = named.wamid, "lockedUntil" = NULL, "nextAttemptAt" = NULL, "sendStartedAt" = NULL, "updatedAt" = ${now}
        FROM named
        WHERE "WhatsAppMessage"."id" = named.id AND "WhatsAppMessage"."workspaceId" = named.workspace_id
          AND "WhatsAppMessage"."wamid" IS NULL AND "WhatsAppMessage"."direction" = ${sql.enumValue("OUTBOUND", "MessageDirection")}
        RETURNING "WhatsAppMessage"."id" AS id, "WhatsAppMessage"."wamid" AS wamid, "WhatsAppMessage"."status" AS status,
          "WhatsAppMessage"."workspaceId" AS "workspaceId", "WhatsAppMessage"."conversationId" AS "conversationId"`)),
    );
  }
  return adopted;
}
