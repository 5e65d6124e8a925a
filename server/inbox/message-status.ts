import { Prisma } from "../generated/prisma/client.ts";
import type { MessageStatus } from "../generated/prisma/enums.ts";
import type { DeliveryStatus } from "../whatsapp/webhook-events.ts";
import { STATUS_RANK as SHARED_STATUS_RANK, type StatusRank } from "./status-rank.ts";

/** The shared order of progress, typed by Prisma's enum. */
const STATUS_RANK: StatusRank<MessageStatus> = SHARED_STATUS_RANK;

/** STATUS_RANK as SQL, for the rank of a status column or value inside a statement. */
export function statusRankSql(status: Prisma.Sql): Prisma.Sql {
  const ranked = (Object.entries(STATUS_RANK) as Array<[MessageStatus, number]>).filter(([, rank]) => rank > 0);
  return Prisma.sql`(CASE ${status} ${Prisma.join(
    ranked.map(([name, rank]) => Prisma.sql`WHEN ${Prisma.raw(`'${name}'`)} THEN ${Prisma.raw(String(rank))}`),
    " ",
  )} ELSE 0 END)`;
}

export function isStatusAdvance(current: MessageStatus, next: MessageStatus): boolean {
  return STATUS_RANK[next] > STATUS_RANK[current];
}

/**
 * The statuses `next` may replace. Updates are conditioned on them (`status IN (…)`), so that
 * two deliveries applied at the same moment on two instances still never move a message back.
 */
export function statusesBelow(next: MessageStatus): MessageStatus[] {
  return (Object.keys(STATUS_RANK) as MessageStatus[]).filter((status) => STATUS_RANK[status] < STATUS_RANK[next]);
}

export function toMessageStatus(status: DeliveryStatus): MessageStatus {
  return status.toUpperCase() as Uppercase<DeliveryStatus>;
}
