import { Buffer } from "node:buffer";
import Libsql from "libsql";
import { LibsqlError, type Client, type InArgs, type InStatement, type InValue, type ResultSet, type Row, type Transaction, type TransactionMode, type Value } from "@libsql/client";

/** How long a statement waits for another process's write lock on the SQLite file. @default 5 s */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** Prepared statements kept per connection: every statement the product runs, with room to spare. */
const CACHED_STATEMENTS = 256;

type Statement = ReturnType<Libsql.Database["prepare"]>;

/**
 * The embedded database's one connection, in the shape the Prisma adapter takes (@libsql/client's
 * `Client`), over the same native driver @libsql/client uses locally. Two things differ:
 *
 * - Statements are prepared once and kept. @libsql/client prepares every statement again on every
 *   run; on the webhook's path, ten statements a delivery, that was a tenth of the thread's time.
 * - A transaction runs on this one connection. @libsql/client hands its connection to each
 *   transaction and opens a fresh one for whatever comes next, so every transaction paid for
 *   opening the file and reading its schema again. The adapter already lets nothing else run while
 *   a transaction is open.
 */
export function openSqliteConnection(file: string): Client {
  const db = new Libsql(file);
  const statements = new Map<string, { statement: Statement; reader: boolean }>();
  let closed = false;
  // Another process writing the file (a script, a benchmark) makes SQLite answer "database is
  // locked" at once by default; wait for it instead, as better-sqlite3 does by default.
  run(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);

  function prepared(sql: string) {
    const cached = statements.get(sql);
    if (cached) {
      // Most recently used last: the first entry is the one to drop.
      statements.delete(sql);
      statements.set(sql, cached);
      return cached;
    }
    const statement = db.prepare(sql);
    statement.safeIntegers(true);
    const entry = { statement, reader: statement.reader };
    if (entry.reader) statement.raw(true);
    statements.set(sql, entry);
    if (statements.size > CACHED_STATEMENTS) statements.delete(statements.keys().next().value!);
    return entry;
  }

  function run(input: InStatement): ResultSet {
    const { sql, args } = typeof input === "string" ? { sql: input, args: [] as InArgs } : input;
    try {
      const { statement, reader } = prepared(sql);
      const values = toSqlArgs(args ?? []);
      if (reader) {
        const rows = (statement.all(values) as unknown[][]).map((row) => row.map(fromSql));
        // After the run: SQLite prepares a kept statement again when the schema changed, and only then
        // are its columns the new ones (`SELECT *` after a column was added).
        const columns = statement.columns();
        return resultSet(
          columns.map((column) => column.name),
          columns.map((column) => column.type ?? ""),
          rows,
          0,
          undefined,
        );
      }
      const info = statement.run(values);
      return resultSet([], [], [], info.changes, BigInt(info.lastInsertRowid));
    } catch (error) {
      throw asLibsqlError(error);
    }
  }

  /** Statements separated by semicolons, none of them prepared for keeps (migrations, scripts). */
  function runScript(sql: string) {
    try {
      db.exec(sql);
    } catch (error) {
      throw asLibsqlError(error);
    }
  }

  const notClosed = () => {
    if (closed) throw new LibsqlError("The client is closed", "CLIENT_CLOSED");
  };

  const client: Client = {
    protocol: "file",
    get closed() {
      return closed;
    },
    async execute(input: InStatement) {
      notClosed();
      return run(input);
    },
    async batch(inputs: InStatement[], mode: TransactionMode = "deferred") {
      notClosed();
      try {
        run(BEGIN[mode]);
        const results = inputs.map(run);
        run("COMMIT");
        return results;
      } finally {
        if (db.inTransaction) run("ROLLBACK");
      }
    },
    async executeMultiple(sql: string) {
      notClosed();
      try {
        runScript(sql);
      } finally {
        if (db.inTransaction) run("ROLLBACK");
      }
    },
    async transaction(mode: TransactionMode = "write"): Promise<Transaction> {
      notClosed();
      run(BEGIN[mode]);
      let ended = false;
      const end = async (statement: "COMMIT" | "ROLLBACK") => {
        if (ended) return;
        ended = true;
        try {
          run(statement);
        } catch (error) {
          // A failed COMMIT leaves the transaction open on the shared connection: end it here.
          if (statement === "COMMIT" && db.inTransaction) run("ROLLBACK");
          throw error;
        }
      };
      // After its end (a commit, or Prisma's rollback on timeout) a transaction must not run
      // late statements on the shared connection, outside any transaction.
      const open = () => {
        if (ended) throw new LibsqlError("The transaction is closed", "TRANSACTION_CLOSED");
      };
      return {
        execute: async (input) => (open(), run(input)),
        batch: async (inputs) => (open(), inputs.map(run)),
        executeMultiple: async (sql) => (open(), runScript(sql)),
        commit: () => end("COMMIT"),
        rollback: () => end("ROLLBACK"),
        close: () => void end("ROLLBACK").catch(() => undefined),
        get closed() {
          return ended;
        },
      };
    },
    async sync() {
      notClosed();
      db.sync();
    },
    close() {
      closed = true;
      statements.clear();
      db.close();
    },
  };
  return client;
}

const BEGIN: Record<TransactionMode, string> = { write: "BEGIN IMMEDIATE", read: "BEGIN TRANSACTION READONLY", deferred: "BEGIN DEFERRED" };

function toSqlArgs(args: InArgs): unknown[] | Record<string, unknown> {
  if (Array.isArray(args)) return args.map(toSql);
  // Named arguments: the driver takes the names without their sigil (`:name`, `@name`, `$name`).
  return Object.fromEntries(Object.entries(args).map(([name, value]) => [/^[:@$]/.test(name) ? name.slice(1) : name, toSql(value)]));
}

/** As @libsql/client converts arguments with its default integer mode ("number"). */
function toSql(value: InValue): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) throw new RangeError("Only finite numbers (not Infinity or NaN) can be passed as arguments");
  if (typeof value === "bigint" && (value < MIN_INTEGER || value > MAX_INTEGER)) throw new RangeError("bigint is too large to be represented as a 64-bit integer and passed as argument");
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError("undefined cannot be passed as argument to the database");
  return value;
}

/** As @libsql/client reads values with its default integer mode ("number"): a JS number, never a rounded one. */
function fromSql(value: unknown): Value {
  if (typeof value === "bigint") {
    if (value < MIN_SAFE || value > MAX_SAFE) throw new RangeError("Received integer which cannot be safely represented as a JavaScript number");
    return Number(value);
  }
  if (value instanceof Buffer) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer;
  return value as Value;
}

const MIN_INTEGER = -9223372036854775808n;
const MAX_INTEGER = 9223372036854775807n;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function resultSet(columns: string[], columnTypes: string[], rows: Value[][], rowsAffected: number, lastInsertRowid: bigint | undefined): ResultSet {
  return {
    columns,
    columnTypes,
    // Rows stay arrays: the Prisma adapter, their only reader, reads them by index.
    rows: rows as unknown as Row[],
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({ columns, columnTypes, rows, rowsAffected, lastInsertRowid: lastInsertRowid?.toString() ?? null }),
  };
}

/** The driver's errors as @libsql/client reports them: the Prisma adapter reads `code` and `rawCode`. */
function asLibsqlError(error: unknown): unknown {
  if (error instanceof Libsql.SqliteError) {
    const { message, code, rawCode } = error as Error & { code: string; rawCode?: number };
    return new LibsqlError(message, code, rawCode, error);
  }
  return error;
}
