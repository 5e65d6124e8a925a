/**
 * How far a message has got, shared by the server (which applies a status only when it ranks
 * above the current one) and the client (which keeps the further-along of two versions of a
 * message). Meta delivers statuses at least once and in any order, and may skip `delivered`: so a
 * late `delivered` never undoes `read`. A failure outranks `sent` but not proof of delivery.
 *
 * It imports nothing: the server and the browser bundle (client/src/composables/useMessages.ts)
 * both load it as it is. Each side checks that its own status type (Prisma's enum, the GraphQL
 * enum) has exactly these keys.
 */
export const STATUS_RANK = {
  RECEIVED: 0,
  PENDING: 0,
  QUEUED: 0,
  SENT: 1,
  FAILED: 2,
  DELIVERED: 3,
  READ: 4,
  PLAYED: 5,
} as const;

export type RankedStatus = keyof typeof STATUS_RANK;

/**
 * The ranking as seen through another declaration of the statuses (Prisma's enum, the GraphQL
 * enum): assigning STATUS_RANK to it fails to compile unless both name exactly the same statuses.
 */
export type StatusRank<Status extends string> = {
  readonly [Name in Status | RankedStatus]: Name extends Status & RankedStatus ? number : never;
};
