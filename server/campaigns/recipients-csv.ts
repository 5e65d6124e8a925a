import type { Database } from "../db/client.ts";
import type { Campaign, MessageStatus } from "../generated/prisma/client.ts";
import { csvCell, type CsvCell } from "../reports/csv.ts";
import { recipientOutcomes, type RecipientOutcome } from "./campaign-report.ts";

/** The columns of GET /api/campaigns/:id/recipients.csv (docs/api.md). */
export const RECIPIENT_CSV_COLUMNS = ["name", "phone", "bsuid", "status", "status_at", "sent", "delivered", "read", "replied_within_72h", "error_code", "error_title"] as const;

/** A recipient's status as the report names it: read includes played (voice), queued includes pending. */
const STATUS_WORD: Record<MessageStatus, string> = {
  PENDING: "queued",
  QUEUED: "queued",
  SENT: "sent",
  DELIVERED: "delivered",
  READ: "read",
  PLAYED: "read",
  FAILED: "failed",
  RECEIVED: "received",
};
const SENT: ReadonlySet<MessageStatus> = new Set(["SENT", "DELIVERED", "READ", "PLAYED"]);
const DELIVERED: ReadonlySet<MessageStatus> = new Set(["DELIVERED", "READ", "PLAYED"]);
const READ: ReadonlySet<MessageStatus> = new Set(["READ", "PLAYED"]);
const yesNo = (value: boolean) => (value ? "yes" : "no");

function recipientRow(outcome: RecipientOutcome): CsvCell[] {
  return [
    outcome.name,
    outcome.waId,
    outcome.userId,
    STATUS_WORD[outcome.status],
    outcome.statusAt?.toISOString() ?? null,
    yesNo(SENT.has(outcome.status)),
    yesNo(DELIVERED.has(outcome.status)),
    yesNo(READ.has(outcome.status)),
    yesNo(outcome.replied),
    outcome.errorCode,
    outcome.errorTitle,
  ];
}

const line = (cells: readonly CsvCell[]) => `${cells.map(csvCell).join(",")}\r\n`;

/**
 * The CSV of every recipient's outcome, a page of recipients per chunk: the response streams
 * while the database is read, and 100,000 recipients never sit in memory at once. Cells go
 * through the reports' csvCell: RFC 4180 quoting, and a leading apostrophe on text a spreadsheet
 * would run as a formula (= + - @) — a contact's name is the customer's own text.
 */
export async function* recipientsCsv(db: Database, campaign: Campaign): AsyncGenerator<string> {
  yield line(RECIPIENT_CSV_COLUMNS);
  for await (const page of recipientOutcomes(db, campaign)) yield page.map((outcome) => line(recipientRow(outcome))).join("");
}

/** A file name from the campaign's name: letters, digits and dashes only. */
export function recipientsCsvFilename(campaign: Pick<Campaign, "name">) {
  const slug = campaign.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
  return `campaign-${slug || "recipients"}-recipients.csv`;
}
