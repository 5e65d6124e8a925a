/**
 * The group commit of the webhook path: every delivery (webhook POST) arriving while one is being
 * written waits, then all of them are stored in one transaction — its messages
 * (ingest-messages.ts), statuses (ingest-statuses.ts) and template statuses (templates/, given) —
 * and each caller learns what its own delivery changed.
 *
 * The statements go to the database driver, not through Prisma's client: it costs ten times the
 * statement itself, and this is the path every message of every customer takes.
 */
import { v7 as uuidv7 } from "uuid";
import { providerOf, type Database } from "../db/client.ts";
import { driverTransaction, insertRows, queryChunks, type DriverTransaction } from "../db/driver-transaction.ts";
import { isUniqueViolation } from "../db/unique-violation.ts";
import { sqlValues, type SqlValues } from "../db/sql-values.ts";
import { groupCommits } from "../db/group-commit.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { MessageStatus } from "../generated/prisma/enums.ts";
import type { DeliveryTimeline } from "../step-timing.ts";
import type { MessageEvent, MessageSender, StatusEvent, TemplateStatusEvent, WebhookEvent } from "../whatsapp/webhook-events.ts";
import { storeInboundMessages } from "./ingest-messages.ts";
import { applyPendingStatusesTo, applyStatuses } from "./ingest-statuses.ts";

export interface StoredMessageRef {
  workspaceId: string;
  conversationId: string;
  messageId: string;
}

export interface ReceivedMessage extends StoredMessageRef {
  /** The customer's number; null while hidden behind a username (then userId is set). */
  waId: string | null;
  /** The customer's business-scoped user ID. */
  userId: string | null;
  preview: string;
  /** "businessApp": an echo of what the business sent from its phone, answered by no auto-reply. */
  sender: MessageSender;
}

export interface StatusChange extends StoredMessageRef {
  status: MessageStatus;
}

export interface IngestResult {
  received: ReceivedMessage[];
  statusChanges: StatusChange[];
  /** Conversations whose list entry changed (preview, unread count, window). */
  conversations: Array<{ workspaceId: string; conversationId: string }>;
  duplicates: number;
  /** Statuses for messages not known yet, kept until the message appears. */
  pendingStatuses: number;
  /** Changes for business numbers no workspace owns, kept in the unrouted log. */
  unrouted: number;
  /** Business accounts whose template cache (in a workspace) lacks a template a status named (created at Meta since the last sync). */
  templatesMissing: readonly TemplateAccountRef[];
}

/**
 * Template statuses are another domain's table (templates/), stored in the same transaction:
 * answers the workspaces whose cache lacks a template a status named.
 */
/** A workspace's template catalogue of one business account (templates/). */
export interface TemplateAccountRef {
  workspaceId: string;
  businessAccountId: string;
}

export type TemplateStatusStore = (tx: DriverTransaction, events: readonly TemplateStatusEvent[]) => Promise<readonly TemplateAccountRef[]>;

/** `timeline`: the delivery's steps, when the benchmark times them (step-timing.ts). */
export type Ingest = (events: readonly WebhookEvent[], timeline?: DeliveryTimeline | null) => Promise<IngestResult>;

interface Delivery {
  events: readonly WebhookEvent[];
  timeline: DeliveryTimeline | null;
}

/**
 * Stores one delivery — every message, status and conversation change in it — so that the caller
 * can acknowledge Meta once all of it is durable. Re-delivered messages (same wamid) are stored
 * once; statuses only ever move forward.
 */
export function createIngest(db: Database, templateStatuses?: TemplateStatusStore): Ingest {
  const ingest = groupCommits((deliveries: Delivery[]) => storeRetryingConflicts(db, deliveries, templateStatuses), {
    maxSize: GROUP_MAX_EVENTS,
    sizeOf: ({ events }) => events.length,
  });
  return (events, timeline = null) => ingest({ events, timeline });
}

/** Bounds one group's transaction, and so the wait of the POSTs behind it. */
const GROUP_MAX_EVENTS = 1_000;

async function storeRetryingConflicts(db: Database, deliveries: Delivery[], templateStatuses?: TemplateStatusStore): Promise<IngestResult[]> {
  const timelines = deliveries.map(({ timeline }) => timeline).filter((timeline) => timeline !== null);
  for (let attempt = 1; ; attempt++) {
    try {
      return await serializedWrite(db, () =>
        driverTransaction(db, async (tx) => {
          for (const timeline of timelines) timeline.mark("wait for the group");
          const results = await store(
            tx,
            sqlValues(providerOf(db)),
            deliveries.map(({ events }) => events),
            templateStatuses,
          );
          for (const timeline of timelines) timeline.mark("statements");
          return results;
        }),
      );
    } catch (error) {
      // Another instance stored the same message or conversation at the same moment: run again,
      // and this time find it stored (PostgreSQL; SQLite's writes never race).
      if (attempt >= UNIQUE_CONFLICT_RETRIES || !isUniqueViolation(error)) throw error;
    }
  }
}

const UNIQUE_CONFLICT_RETRIES = 3;

/** An event and the delivery (webhook POST) it came in: results are reported per delivery. */
export interface Delivered<E extends WebhookEvent = WebhookEvent> {
  delivery: number;
  event: E;
}

async function store(tx: DriverTransaction, sql: SqlValues, deliveries: Array<readonly WebhookEvent[]>, templateStatuses?: TemplateStatusStore): Promise<IngestResult[]> {
  const results = deliveries.map((): IngestResult => ({
    received: [],
    statusChanges: [],
    conversations: [],
    duplicates: 0,
    pendingStatuses: 0,
    unrouted: 0,
    templatesMissing: [],
  }));
  const all = deliveries.flatMap((events, delivery) => events.map((event) => ({ delivery, event })));
  const owners = await ownersOf(tx, all.map(({ event }) => event));
  const isRouted = (event: WebhookEvent) => !!event.phoneNumberId && owners.has(event.phoneNumberId);

  // Kept, shown to no one: changes for numbers nobody owns, and items we cannot read. Changes
  // that name no business number at all (account updates…) are only logged.
  const unrouted = all.filter(({ event }) => event.kind === "unreadable" || (!isRouted(event) && event.phoneNumberId));
  const receivedAt = new Date();
  await insertRows(
    tx,
    "UnroutedWebhook",
    unrouted.map(({ event }) => ({ id: uuidv7(), phoneNumberId: event.phoneNumberId ?? "", payload: JSON.stringify(event), receivedAt })),
  );
  for (const { delivery } of unrouted) results[delivery]!.unrouted++;

  const routed = all.filter(({ event }) => isRouted(event));
  const messages = routed.filter((item): item is Delivered<MessageEvent> => item.event.kind === "message");
  const statuses = routed.filter((item): item is Delivered<StatusEvent> => item.event.kind === "status");
  await storeInboundMessages(tx, sql, owners, messages, results);
  const echoes = messages.filter(({ event }) => event.sender === "businessApp").map(({ event }) => ({ wamid: event.wamid, phoneNumberId: event.phoneNumberId }));
  await applyPendingStatusesTo(tx, sql, owners, echoes, results);
  await applyStatuses(tx, sql, owners, statuses, results);
  if (templateStatuses) {
    for (const [delivery, events] of deliveries.entries()) {
      const templateEvents = events.filter((event) => event.kind === "templateStatus");
      if (templateEvents.length > 0) results[delivery]!.templatesMissing = await templateStatuses(tx, templateEvents);
    }
  }
  return results;
}

async function ownersOf(tx: DriverTransaction, events: readonly WebhookEvent[]) {
  const ids = [...new Set(events.map((event) => event.phoneNumberId).filter((id): id is string => !!id))];
  const numbers = await queryChunks<{ phoneNumberId: string; workspaceId: string }, string>(
    tx,
    ids,
    // A disconnected number routes nowhere: its webhooks go to the unrouted log.
    (chunk) => Prisma.sql`SELECT "phoneNumberId", "workspaceId" FROM "WhatsAppPhoneNumber" WHERE "phoneNumberId" IN (${Prisma.join(chunk)}) AND "status" = 'CONNECTED'`,
  );
  return new Map(numbers.map((number) => [number.phoneNumberId, number.workspaceId]));
}
