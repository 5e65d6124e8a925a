import type { Database } from "../db/client.ts";
import { serializedWrite } from "../db/write-queue.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { MessageStatus } from "../generated/prisma/enums.ts";
import type { StatusChange } from "./ingest.ts";
import { isStatusAdvance, statusesBelow } from "./message-status.ts";

type Transaction = Prisma.TransactionClient;

/**
 * Applies the statuses that arrived before their message was stored (an outbound message's
 * "sent" can overtake the answer that gave us its wamid). Call in the transaction storing it.
 */
export async function applyPendingStatuses(tx: Transaction, wamid: string): Promise<MessageStatus | null> {
  const pending = await tx.pendingStatus.findMany({ where: { wamid } });
  if (pending.length === 0) return null;
  const message = await tx.whatsAppMessage.findUniqueOrThrow({ where: { wamid } });
  let best = message.status;
  let winner: (typeof pending)[number] | null = null;
  for (const status of pending) {
    if (isStatusAdvance(best, status.status)) {
      best = status.status;
      winner = status;
    }
  }
  if (winner) {
    await tx.whatsAppMessage.updateMany({
      where: { id: message.id, status: { in: statusesBelow(winner.status) } },
      data: {
        status: winner.status,
        statusAt: winner.timestamp,
        ...(winner.status === "FAILED" ? { errorCode: winner.errorCode, errorTitle: winner.errorTitle } : {}),
      },
    });
  }
  await tx.pendingStatus.deleteMany({ where: { wamid } });
  return winner ? winner.status : null;
}

const STRANDED_WINDOW_MS = 10 * 60_000;
const FOREIGN_STATUS_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Statuses can be stranded as pending when they arrive while their message's wamid is being
 * committed on another connection (PostgreSQL). Applied later by the outbox worker's sweep.
 *
 * Only recent ones are looked at: a status still pending after STRANDED_WINDOW_MS belongs to a
 * message we never had (sent by another tool through the same number). Left in the sweep, a
 * hundred of those would hide every real one behind them; they are deleted after a week.
 * @default older than 5 s
 */
export async function applyStrandedPendingStatuses(db: Database, olderThanMs = 5_000, now = Date.now()) {
  await db.pendingStatus.deleteMany({ where: { createdAt: { lt: new Date(now - FOREIGN_STATUS_RETENTION_MS) } } });
  const stranded = await db.pendingStatus.findMany({
    where: { createdAt: { lt: new Date(now - olderThanMs), gte: new Date(now - STRANDED_WINDOW_MS) } },
    select: { wamid: true },
    distinct: ["wamid"],
    take: 100,
  });
  if (stranded.length === 0) return [];
  const known = await db.whatsAppMessage.findMany({
    where: { wamid: { in: stranded.map((status) => status.wamid) } },
    select: { id: true, wamid: true, workspaceId: true, conversationId: true },
  });
  const changes: StatusChange[] = [];
  for (const message of known) {
    const status = await serializedWrite(db, () => db.$transaction((tx) => applyPendingStatuses(tx, message.wamid!)));
    if (status) changes.push({ workspaceId: message.workspaceId, conversationId: message.conversationId, messageId: message.id, status });
  }
  return changes;
}
