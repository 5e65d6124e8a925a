/**
 * Contacts from a CSV file (`name,phone,…`): every row is checked before anything is stored, and
 * one refused row stores nothing — the answer is then the list of refused rows (line, value, why)
 * for the admin to fix the file and import it again. Rows whose number is already a contact's
 * update that contact instead of making a second one. Columns beyond the built-in ones become
 * custom contact fields (ContactFieldValue), which campaign variables can take per recipient.
 */
import { parse, type InfoRecord } from "csv-parse/sync";
import type { CountryCode } from "libphonenumber-js";
import { v7 as uuidv7 } from "uuid";
import { providerOf, type Database } from "../db/client.ts";
import { driverQuery, driverTransaction, queryChunks, type DriverTransaction } from "../db/driver-transaction.ts";
import { sqlValues, statementChunks, type SqlValues } from "../db/sql-values.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { ValidationError } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { countOf } from "../plural.ts";
import { parseContactInput } from "./contacts.service.ts";
import { INVALID_PHONE_NUMBER, waIdOf } from "./phone.ts";

/** The file, at most: below the HTTP body limit (1 MiB), about 10,000 rows of name, phone and a few columns. */
export const MAX_IMPORT_BYTES = 800_000;
export const MAX_IMPORT_ROWS = 10_000;
/** Custom columns per file, and characters per custom value. */
export const MAX_CUSTOM_COLUMNS = 20;
export const MAX_CUSTOM_VALUE_LENGTH = 1000;

/** The built-in fields and the header spellings that name them (compared as snake_case). */
const BUILT_IN_COLUMNS = {
  name: ["name", "full_name", "customer_name", "contact_name"],
  whatsappNumber: ["phone", "phone_number", "mobile", "mobile_number", "whatsapp", "whatsapp_number"],
  email: ["email", "email_address", "e_mail"],
  company: ["company", "company_name"],
  notes: ["notes", "note"],
} as const;
type BuiltInField = keyof typeof BUILT_IN_COLUMNS;
const BUILT_IN_BY_SPELLING = new Map<string, BuiltInField>(
  Object.entries(BUILT_IN_COLUMNS).flatMap(([field, spellings]) => spellings.map((spelling) => [spelling, field as BuiltInField])),
);

/** Keys a custom field may not take: a campaign variable of that name means the built-in field. */
export const RESERVED_FIELD_KEYS = new Set(["name", "first_name", "firstname", "company", "email", "phone", "notes", ...BUILT_IN_BY_SPELLING.keys()]);

/** "Order ID", "order-id" and "orderId" all become `order_id`: the key a campaign variable names. */
export function fieldKeyOf(header: string): string {
  return header
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

const CUSTOM_KEY = /^[a-z][a-z0-9_]{0,49}$/;
export const isCustomFieldKey = (key: string) => CUSTOM_KEY.test(key) && !RESERVED_FIELD_KEYS.has(key);

export interface ImportContactsInput {
  csv: string;
  labelIds?: readonly string[] | null;
  dryRun?: boolean | null;
}

export interface RefusedRow {
  /** The file's line where the row starts (the header is line 1). */
  line: number;
  /** The column's header as written, when one cell is at fault. */
  column: string | null;
  value: string;
  reason: string;
}

export interface ImportReport {
  /** True once the contacts are stored: never on a dry run or when a row was refused. */
  imported: boolean;
  dryRun: boolean;
  rows: number;
  /** Contacts made (or that would be made) and existing ones updated, by number. */
  created: number;
  updated: number;
  refused: RefusedRow[];
  /** The custom columns' keys, in the file's order. */
  customFields: string[];
}

interface Column {
  header: string;
  field: BuiltInField | null;
  /** The custom field's key, for a column that is not built in. */
  key: string | null;
}

interface GoodRow {
  line: number;
  whatsappNumber: string;
  contact: { name: string; email: string | null; company: string | null; notes: string | null };
  custom: Array<{ key: string; value: string }>;
}

/** Excel in many locales saves with semicolons; tabs come from pasting a spreadsheet. */
function delimiterOf(headerLine: string): string {
  if (headerLine.includes(",")) return ",";
  if (headerLine.includes(";")) return ";";
  if (headerLine.includes("\t")) return "\t";
  return ",";
}

function readRecords(csv: string) {
  const firstLine = csv.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  try {
    const records = parse(csv, { bom: true, delimiter: delimiterOf(firstLine), info: true, skip_empty_lines: true, relax_column_count: true });
    // With `info: true` each record comes with where it ends; csv-parse's types do not model that option.
    return records as unknown as Array<{ record: string[]; info: Pick<InfoRecord, "lines"> }>;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw ValidationError.of("csv", `The file is not valid CSV${line ? ` (line ${line})` : ""}: ${(error as Error).message.replace(/^.*?: /, "")}`);
  }
}

function readColumns(header: readonly string[]): Column[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const columns = header.map((raw): Column => {
    const header = raw.trim();
    const key = fieldKeyOf(header);
    const field = BUILT_IN_BY_SPELLING.get(key) ?? null;
    const identity = field ?? key;
    if (!header) problems.push("a column has no header");
    else if (seen.has(identity)) problems.push(`columns "${seen.get(identity)}" and "${header}" name the same field`);
    else if (!field && !isCustomFieldKey(key)) problems.push(`the column "${header}" cannot be a field name: start it with a letter, at most 50 characters`);
    seen.set(identity, header);
    return { header, field, key: field ? null : key };
  });
  if (!seen.has("name") || !seen.has("whatsappNumber")) {
    problems.unshift('the first line must be a header naming the columns, with at least "name" and "phone" (or mobile, whatsapp)');
  }
  if (columns.filter((column) => column.key).length > MAX_CUSTOM_COLUMNS) problems.push(`at most ${MAX_CUSTOM_COLUMNS} custom columns`);
  if (problems.length > 0) throw ValidationError.of("csv", `Check the header: ${problems.join("; ")}`);
  return columns;
}

/** Reads and checks every row; nothing touches the database. */
export function readContactsCsv(csv: string, defaultCountry: CountryCode) {
  if (Buffer.byteLength(csv, "utf8") > MAX_IMPORT_BYTES) {
    throw ValidationError.of("csv", `The file is larger than ${MAX_IMPORT_BYTES / 1000} KB: split it into files of at most ${MAX_IMPORT_ROWS.toLocaleString("en")} rows`);
  }
  const records = readRecords(csv);
  // Spreadsheets export rows they once formatted as lines of separators only (",,,"): blank lines too.
  const [header, ...rows] = records.filter(({ record }) => record.some((cell) => cell.trim() !== ""));
  if (!header) throw ValidationError.of("csv", "The file is empty: give a header line (name,phone,…) and one line per contact");
  const columns = readColumns(header.record);
  if (rows.length === 0) throw ValidationError.of("csv", "The file has a header but no contacts");
  if (rows.length > MAX_IMPORT_ROWS) throw ValidationError.of("csv", `At most ${MAX_IMPORT_ROWS.toLocaleString("en")} contacts per file`);
  const phoneColumn = columns.find((column) => column.field === "whatsappNumber")!;

  const refused: RefusedRow[] = [];
  const good: GoodRow[] = [];
  const lineOfNumber = new Map<string, number>();
  for (const { record, info } of rows) {
    // csv-parse counts to the row's end; a quoted cell may span lines.
    const line = info.lines - record.reduce((sum, cell) => sum + (cell.match(/\n/g)?.length ?? 0), 0);
    const refuse = (column: Column | null, value: string, reason: string) => refused.push({ line, column: column?.header ?? null, value, reason });
    if (record.length > columns.length) {
      refuse(null, record.join(",").slice(0, 200), `${countOf(record.length, "cell")} but the header has ${columns.length}: quote values that contain the separator`);
      continue;
    }
    const cell = (column: Column) => (record[columns.indexOf(column)] ?? "").trim();
    const values: Record<BuiltInField, string> = { name: "", whatsappNumber: "", email: "", company: "", notes: "" };
    const custom: GoodRow["custom"] = [];
    let ok = true;
    for (const column of columns) {
      const value = cell(column);
      if (column.field) values[column.field] = value;
      else if (value.length > MAX_CUSTOM_VALUE_LENGTH) {
        refuse(column, value.slice(0, 100), `Longer than ${MAX_CUSTOM_VALUE_LENGTH} characters`);
        ok = false;
      } else if (value) custom.push({ key: column.key!, value });
    }
    if (!values.whatsappNumber) {
      refuse(phoneColumn, "", "Phone number is missing");
      continue;
    }
    let parsed: ReturnType<typeof parseContactInput>;
    try {
      parsed = parseContactInput(values, defaultCountry);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const problem of error.fieldErrors) {
        const column = columns.find((candidate) => candidate.field === problem.field) ?? null;
        const reason = problem.field === "whatsappNumber" ? `${INVALID_PHONE_NUMBER} (without a country code, it is read as a number in ${regionName(defaultCountry)})` : problem.message;
        refuse(column, values[problem.field as BuiltInField] ?? "", reason);
      }
      continue;
    }
    const whatsappNumber = parsed.whatsappNumber!;
    const first = lineOfNumber.get(whatsappNumber);
    if (first !== undefined) {
      refuse(phoneColumn, values.whatsappNumber, `Same number as line ${first}`);
      continue;
    }
    lineOfNumber.set(whatsappNumber, line);
    if (ok) good.push({ line, whatsappNumber, contact: { name: parsed.name, email: parsed.email, company: parsed.company, notes: parsed.notes }, custom });
  }
  return { good, refused, customFields: columns.flatMap((column) => (column.key ? [column.key] : [])) };
}

let regionNames: Intl.DisplayNames | undefined;
/** "India" for IN: the default country as the admin reads it. */
function regionName(country: CountryCode) {
  regionNames ??= new Intl.DisplayNames(["en"], { type: "region" });
  return regionNames.of(country) ?? country;
}

/** The workspace's contacts with these numbers: number → id. */
async function existingByNumber(tx: DriverTransaction, sql: SqlValues, workspaceId: string, numbers: readonly string[]) {
  const rows = await queryChunks<{ id: string; whatsappNumber: string }, string>(
    tx,
    numbers,
    (chunk) => Prisma.sql`SELECT "id", "whatsappNumber" FROM "Contact" WHERE "workspaceId" = ${sql.text(workspaceId)} AND "whatsappNumber" IN (${Prisma.join(chunk.map(sql.text))})`,
  );
  return new Map(rows.map((row) => [row.whatsappNumber, row.id]));
}

/**
 * Set-based writes on the database driver (driver-transaction.ts): through Prisma's client, one
 * statement per updated contact made 10,000 rows take 20–40 s, holding SQLite's only writer —
 * and every webhook — for that long. Statements are written once for both databases: VALUES
 * lists name their columns column1, column2… in SQLite and PostgreSQL alike.
 */
async function store(tx: DriverTransaction, sql: SqlValues, workspaceId: string, rows: readonly GoodRow[], labelIds: readonly string[]) {
  const now = sql.dateTime(new Date());
  const existing = await existingByNumber(tx, sql, workspaceId, rows.map((row) => row.whatsappNumber));
  const fresh = rows.filter((row) => !existing.has(row.whatsappNumber));
  // Ids made here, time-ordered as the campaign's rows (Prisma's client makes cuids only for rows it writes).
  const ids = new Map([...existing, ...fresh.map((row) => [row.whatsappNumber, uuidv7()] as const)]);
  const idOf = (row: GoodRow) => ids.get(row.whatsappNumber)!;

  for (const chunk of statementChunks(fresh)) {
    await tx.execute(Prisma.sql`
      INSERT INTO "Contact" ("id", "workspaceId", "name", "email", "company", "notes", "whatsappNumber", "marketingConsent", "createdAt", "updatedAt")
      VALUES ${Prisma.join(
        chunk.map(
          (row) =>
            Prisma.sql`(${sql.text(idOf(row))}, ${sql.text(workspaceId)}, ${sql.text(row.contact.name)}, ${sql.text(row.contact.email)}, ${sql.text(row.contact.company)}, ${sql.text(row.contact.notes)}, ${sql.text(row.whatsappNumber)}, ${sql.enumValue("UNKNOWN", "MarketingConsent")}, ${now}, ${now})`,
        ),
      )}`);
  }
  // An existing contact takes the row's name and its non-empty cells: an empty cell erases nothing.
  for (const chunk of statementChunks(rows.filter((row) => existing.has(row.whatsappNumber)))) {
    await tx.execute(Prisma.sql`
      UPDATE "Contact" SET "name" = v.column2, "email" = COALESCE(v.column3, "Contact"."email"), "company" = COALESCE(v.column4, "Contact"."company"),
        "notes" = COALESCE(v.column5, "Contact"."notes"), "updatedAt" = ${now}
      FROM (VALUES ${Prisma.join(
        chunk.map((row) => Prisma.sql`(${sql.text(idOf(row))}, ${sql.text(row.contact.name)}, ${sql.text(row.contact.email)}, ${sql.text(row.contact.company)}, ${sql.text(row.contact.notes)})`),
      )}) AS v
      WHERE "Contact"."id" = v.column1`);
  }

  // Custom fields: the file's values replace the stored ones of the same key; other keys stay.
  const values = rows.flatMap((row) => row.custom.map(({ key, value }) => ({ contactId: idOf(row), key, value })));
  for (const chunk of statementChunks(values)) {
    await tx.execute(Prisma.sql`
      INSERT INTO "ContactFieldValue" ("contactId", "workspaceId", "key", "value", "updatedAt")
      VALUES ${Prisma.join(chunk.map((value) => Prisma.sql`(${sql.text(value.contactId)}, ${sql.text(workspaceId)}, ${sql.text(value.key)}, ${sql.text(value.value)}, ${now})`))}
      ON CONFLICT ("contactId", "key") DO UPDATE SET "value" = excluded."value", "updatedAt" = excluded."updatedAt"`);
  }

  // Labels are added: those the contacts already wear stay.
  const wearing = rows.flatMap((row) => labelIds.map((labelId) => ({ contactId: idOf(row), labelId })));
  for (const chunk of statementChunks(wearing)) {
    await tx.execute(Prisma.sql`
      INSERT INTO "ContactLabel" ("contactId", "labelId", "createdAt")
      VALUES ${Prisma.join(chunk.map((pair) => Prisma.sql`(${sql.text(pair.contactId)}, ${sql.text(pair.labelId)}, ${now})`))}
      ON CONFLICT DO NOTHING`);
  }

  // A customer who wrote before being imported: their conversation joins the new contact (as createContact does).
  for (const chunk of statementChunks(fresh)) {
    await tx.execute(Prisma.sql`
      UPDATE "Conversation" SET "contactId" = v.column2
      FROM (VALUES ${Prisma.join(chunk.map((row) => Prisma.sql`(${sql.text(waIdOf(row.whatsappNumber))}, ${sql.text(idOf(row))})`))}) AS v
      WHERE "Conversation"."workspaceId" = ${sql.text(workspaceId)} AND "Conversation"."contactId" IS NULL AND "Conversation"."waId" = v.column1`);
  }
  return { created: fresh.length, updated: rows.length - fresh.length };
}

/**
 * Imports the file into the workspace, all or nothing: with a refused row (or `dryRun`) the
 * report says what would happen and nothing is stored; otherwise every row is stored in one
 * transaction, with `labelIds` put on every imported contact.
 */
export async function importContacts(db: Database, workspaceId: string, input: ImportContactsInput, defaultCountry: CountryCode): Promise<ImportReport> {
  const labelIds = [...new Set(input.labelIds ?? [])];
  if (labelIds.length > 0 && (await db.label.count({ where: { workspaceId, id: { in: labelIds } } })) !== labelIds.length) {
    throw ValidationError.of("labelIds", "Some of these labels do not exist");
  }
  const { good, refused, customFields } = readContactsCsv(input.csv, defaultCountry);
  const rows = good.length + new Set(refused.map((row) => row.line)).size;
  const dryRun = input.dryRun === true;
  const sql = sqlValues(providerOf(db));
  if (dryRun || refused.length > 0) {
    const existing = await existingByNumber(driverReads(db), sql, workspaceId, good.map((row) => row.whatsappNumber));
    return { imported: false, dryRun, rows, created: good.length - existing.size, updated: existing.size, refused, customFields };
  }
  const counts = await serializedWrite(db, () => driverTransaction(db, (tx) => store(tx, sql, workspaceId, good, labelIds)));
  return { imported: true, dryRun, rows, ...counts, refused, customFields };
}

/** Reads outside a transaction (the dry run's lookup), through the same statements. */
function driverReads(db: Database): DriverTransaction {
  return {
    query: (statement) => driverQuery(db, statement),
    execute: () => Promise.reject(new Error("A dry run writes nothing")),
  };
}

/** The workspace's custom field keys, for campaign variables and forms. */
export async function customFieldKeys(db: Database, workspaceId: string): Promise<string[]> {
  const rows = await db.contactFieldValue.groupBy({ by: ["key"], where: { workspaceId }, orderBy: { key: "asc" } });
  return rows.map((row) => row.key);
}
