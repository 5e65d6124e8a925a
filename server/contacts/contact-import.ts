/**
 * Contacts from a CSV file (`name,phone,…`): every row is checked before anything is stored, and
 * one refused row stores nothing — the answer is then the list of refused rows (line, value, why)
 * for the admin to fix the file and import it again. Rows whose number is already a contact's
 * update that contact instead of making a second one. Columns beyond the built-in ones become
 * custom contact fields (ContactFieldValue), which campaign variables can take per recipient.
 */
import { parse, type InfoRecord } from "csv-parse/sync";
import type { CountryCode } from "libphonenumber-js";
import type { Database } from "../db/client.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { ValidationError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
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
    const records = parse(csv, { bom: true, delimiter: delimiterOf(firstLine), info: true, skip_empty_lines: true, relax_column_count: true, to: MAX_IMPORT_ROWS + 2 });
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
  const [header, ...rows] = records;
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
      refuse(null, record.join(","), `${countOf(record.length, "cell")} but the header has ${columns.length}: quote values that contain the separator`);
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

/** Lists for `in` filters: far below SQLite's and PostgreSQL's parameter limits. */
function chunks<T>(items: readonly T[], size = 500): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

type Client = Database | Prisma.TransactionClient;

async function existingByNumber(db: Client, workspaceId: string, numbers: readonly string[]) {
  const found = new Map<string, string>();
  for (const chunk of chunks(numbers)) {
    const rows = await db.contact.findMany({ where: { workspaceId, whatsappNumber: { in: chunk } }, select: { id: true, whatsappNumber: true } });
    for (const row of rows) found.set(row.whatsappNumber!, row.id);
  }
  return found;
}

/** A non-empty cell sets the field; an empty one leaves what the contact has. */
function changesOf(contact: GoodRow["contact"]) {
  return Object.fromEntries(Object.entries(contact).filter(([, value]) => value !== null)) as Partial<GoodRow["contact"]>;
}

async function store(tx: Prisma.TransactionClient, workspaceId: string, rows: readonly GoodRow[], labelIds: readonly string[]) {
  const existing = await existingByNumber(tx, workspaceId, rows.map((row) => row.whatsappNumber));
  const fresh = rows.filter((row) => !existing.has(row.whatsappNumber));
  for (const chunk of chunks(fresh)) {
    await tx.contact.createMany({ data: chunk.map((row) => ({ workspaceId, whatsappNumber: row.whatsappNumber, ...row.contact })) });
  }
  for (const row of rows) {
    const id = existing.get(row.whatsappNumber);
    if (id) await tx.contact.update({ where: { id }, data: changesOf(row.contact) });
  }
  const created = await existingByNumber(tx, workspaceId, fresh.map((row) => row.whatsappNumber));
  const idOf = (row: GoodRow) => existing.get(row.whatsappNumber) ?? created.get(row.whatsappNumber)!;

  // Custom fields: the file's values replace the stored ones of the same key; other keys stay.
  const values = rows.flatMap((row) => row.custom.map(({ key, value }) => ({ contactId: idOf(row), workspaceId, key, value })));
  for (const key of new Set(values.map((value) => value.key))) {
    const ids = values.filter((value) => value.key === key).map((value) => value.contactId);
    for (const chunk of chunks(ids)) await tx.contactFieldValue.deleteMany({ where: { key, contactId: { in: chunk } } });
  }
  for (const chunk of chunks(values)) await tx.contactFieldValue.createMany({ data: chunk });

  // Labels are added: those the contacts already wear stay.
  const ids = rows.map(idOf);
  for (const chunk of chunks(ids)) {
    const worn = new Set((await tx.contactLabel.findMany({ where: { contactId: { in: chunk }, labelId: { in: [...labelIds] } }, select: { contactId: true, labelId: true } })).map((row) => `${row.contactId} ${row.labelId}`));
    const missing = chunk.flatMap((contactId) => labelIds.filter((labelId) => !worn.has(`${contactId} ${labelId}`)).map((labelId) => ({ contactId, labelId })));
    if (missing.length > 0) await tx.contactLabel.createMany({ data: missing });
  }

  // A customer who wrote before being imported: their conversation joins the new contact (as createContact does).
  const waIds = new Map(fresh.map((row) => [waIdOf(row.whatsappNumber), created.get(row.whatsappNumber)!]));
  for (const chunk of chunks([...waIds.keys()])) {
    const unlinked = await tx.conversation.findMany({ where: { workspaceId, contactId: null, waId: { in: chunk } }, select: { id: true, waId: true } });
    for (const conversation of unlinked) await tx.conversation.update({ where: { id: conversation.id }, data: { contactId: waIds.get(conversation.waId!)! } });
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
  if (dryRun || refused.length > 0) {
    const existing = await existingByNumber(db, workspaceId, good.map((row) => row.whatsappNumber));
    return { imported: false, dryRun, rows, created: good.length - existing.size, updated: existing.size, refused, customFields };
  }
  const counts = await serializedWrite(db, () => db.$transaction((tx) => store(tx, workspaceId, good, labelIds), { timeout: 60_000 }));
  return { imported: true, dryRun, rows, ...counts, refused, customFields };
}

/** The workspace's custom field keys, for campaign variables and forms. */
export async function customFieldKeys(db: Database, workspaceId: string): Promise<string[]> {
  const rows = await db.contactFieldValue.groupBy({ by: ["key"], where: { workspaceId }, orderBy: { key: "asc" } });
  return rows.map((row) => row.key);
}
