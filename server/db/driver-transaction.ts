import { type ArgType, type SqlDriverAdapter, type SqlDriverAdapterFactory, type SqlQuery, type Transaction } from "@prisma/driver-adapter-utils";
import { Prisma } from "../generated/prisma/client.ts";
import type { Database, DatabaseProvider } from "./client.ts";
import { MAX_PARAMETERS_PER_STATEMENT, RAW_ROWS_PER_STATEMENT, statementChunks } from "./sql-values.ts";

/**
 * Statements of one transaction, sent to the database driver itself. Prisma costs about 0.4 ms a
 * statement on this machine (its query compiler and interpreter) where the driver needs 0.03 ms:
 * on the webhook's path, which runs ten statements per delivery, that was most of the time.
 * Statements are `Prisma.sql` templates, written once for both databases (see sql-values.ts).
 */
export interface DriverTransaction {
  /** Rows by column name: text, numbers, null; DateTime columns as ISO text; Boolean 0/1 (SQLite) or true/false. */
  query<Row>(statement: Prisma.Sql): Promise<Row[]>;
  /** Answers the number of rows changed. */
  execute(statement: Prisma.Sql): Promise<number>;
}

/** Prisma connects through its adapter factory lazily: this keeps the adapter it got, per client. */
const connections = new WeakMap<Database, { adapter: SqlDriverAdapter | null; provider: DatabaseProvider }>();

/** Registers the factory a client was made with (createDatabase), so that its connection can be used. */
export function shareConnection(db: Database, factory: SqlDriverAdapterFactory, provider: DatabaseProvider) {
  const connection: { adapter: SqlDriverAdapter | null; provider: DatabaseProvider } = { adapter: null, provider };
  const connect = factory.connect.bind(factory);
  factory.connect = async () => (connection.adapter = await connect());
  connections.set(db, connection);
}

/**
 * Runs `work` in a transaction on Prisma's own connection (SQLite) or pool (PostgreSQL), so it
 * queues behind Prisma's transactions exactly as they queue behind each other. Commits when
 * `work` resolves, rolls back when it throws.
 */
export async function driverTransaction<T>(db: Database, work: (tx: DriverTransaction) => Promise<T>): Promise<T> {
  const { adapter, postgres } = await connectionOf(db);
  const transaction = await adapter.startTransaction();
  // Adapters that do not begin the transaction themselves leave BEGIN's end to the caller too.
  const endsItself = transaction.options.usePhantomQuery;
  try {
    const result = await work(statementsOn(transaction, postgres));
    if (!endsItself) await transaction.executeRaw(plain("COMMIT"));
    await transaction.commit();
    return result;
  } catch (error) {
    if (!endsItself) await transaction.executeRaw(plain("ROLLBACK")).catch(() => undefined);
    await transaction.rollback();
    throw error;
  }
}

/**
 * One read on Prisma's connection (SQLite) or pool (PostgreSQL), outside any transaction: for a
 * look taken on every delivery, where Prisma's client would cost ten times the statement.
 */
export async function driverQuery<Row>(db: Database, statement: Prisma.Sql): Promise<Row[]> {
  const { adapter, postgres } = await connectionOf(db);
  return statementsOn(adapter, postgres).query<Row>(statement);
}

async function connectionOf(db: Database) {
  const connection = connections.get(db);
  if (!connection) throw new Error("The database driver is shared only by a database made by createDatabase");
  if (!connection.adapter) await db.$connect();
  return { adapter: connection.adapter!, postgres: connection.provider === "postgresql" };
}

function statementsOn(queryable: Pick<Transaction, "queryRaw" | "executeRaw">, postgres: boolean): DriverTransaction {
  const toQuery = (statement: Prisma.Sql): SqlQuery => ({
    // `?` placeholders for SQLite, `$1…` for PostgreSQL.
    sql: postgres ? statement.text : statement.sql,
    args: statement.values,
    argTypes: statement.values.map(argTypeOf),
  });
  return {
    async query<Row>(statement: Prisma.Sql) {
      const { columnNames, rows } = await queryable.queryRaw(toQuery(statement));
      return rows.map((values) => Object.fromEntries(columnNames.map((name, index) => [name, values[index]])) as Row);
    },
    execute: (statement) => queryable.executeRaw(toQuery(statement)),
  };
}

/** The adapters convert a Date as Prisma stores DateTime (ISO text in SQLite); the rest passes as is. */
function argTypeOf(value: unknown): ArgType {
  if (value instanceof Date) return { scalarType: "datetime", arity: "scalar" };
  if (typeof value === "boolean") return { scalarType: "boolean", arity: "scalar" };
  if (typeof value === "number") return { scalarType: Number.isInteger(value) ? "int" : "float", arity: "scalar" };
  return { scalarType: typeof value === "string" ? "string" : "unknown", arity: "scalar" };
}

function plain(sql: string): SqlQuery {
  return { sql, args: [], argTypes: [] };
}

/**
 * The rows of `select` for every chunk of `items`, RAW_ROWS_PER_STATEMENT items per statement (a
 * delivery may name thousands); no statement at all for no items.
 */
export async function queryChunks<Row, Item>(tx: DriverTransaction, items: readonly Item[], select: (chunk: Item[]) => Prisma.Sql): Promise<Row[]> {
  const rows: Row[] = [];
  for (const chunk of statementChunks(items)) rows.push(...(await tx.query<Row>(select(chunk))));
  return rows;
}

/** A row of `Table` as Prisma's createMany takes it, with its id (Prisma's client makes ids, not the database). */
export type InsertRow<Table extends Prisma.ModelName> = Extract<Prisma.TypeMap["model"][Table]["operations"]["createMany"]["args"]["data"], readonly unknown[]>[number] & {
  id: string;
};

/**
 * Inserts rows, RAW_ROWS_PER_STATEMENT per statement (fewer for wide tables: a statement takes at
 * most MAX_PARAMETERS_PER_STATEMENT values). Columns are those any row names; a row
 * without one gets NULL there, not the column's default. Ids and Prisma's `@default(now())` and
 * `@updatedAt` are the caller's: only Prisma's client fills them in.
 */
export async function insertRows<Table extends Prisma.ModelName>(tx: DriverTransaction, table: Table, rows: ReadonlyArray<InsertRow<Table>>) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const into = Prisma.raw(`INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) VALUES `);
  const rowsPerStatement = Math.min(RAW_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS_PER_STATEMENT / Math.max(1, columns.length)));
  for (const chunk of statementChunks(rows, rowsPerStatement)) {
    const values = chunk.map((row: object) => Prisma.sql`(${Prisma.join(columns.map((column) => (row as Record<string, unknown>)[column] ?? null))})`);
    await tx.execute(Prisma.sql`${into}${Prisma.join(values)}`);
  }
}
