// Starts the real app for a test file: its own SQLite file, real HTTP on a free port.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import pg from "pg";
import pino from "pino";
import { buildApp, type App, type AppOptions } from "../../app.ts";
import { createApiToken } from "../../auth/auth.service.ts";
import { hashPassword } from "../../auth/password.ts";
import { loadConfig } from "../../config.ts";

export const ADMIN_EMAIL = "admin@example.com";
export const ADMIN_PASSWORD = "correct horse battery";
export const ADMIN_API_TOKEN = "test-admin-token-0123456789abcdef0123";
/** What every instance of a PostgreSQL test shares (SQLite tests make a key file beside their database). */
export const TEST_SECRETS_KEY = Buffer.alloc(32, 7).toString("base64");

export interface TestServer {
  app: App;
  url: string;
  dir: string;
  /** Every log line the server wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * A fresh, empty database for one server: a SQLite file in `dir`, or — when the cluster suite
 * runs the server tests against PostgreSQL (TEST_POSTGRES_ADMIN_URL) — a new PostgreSQL database.
 */
async function freshDatabaseUrl(dir: string): Promise<string> {
  const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL;
  if (!adminUrl) return `file:${path.join(dir, "test.db")}`;
  const name = `test_${path.basename(dir).replace(/\W/g, "_").toLowerCase()}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return adminUrl.replace(/\/[^/]*$/, `/${name}`);
}

export async function startTestServer(env: Record<string, string> = {}, options: Omit<AppOptions, "logger"> = {}): Promise<TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "bharat-test-"));
  const databaseUrl = env.DATABASE_URL ?? (await freshDatabaseUrl(dir));
  const config = loadConfig({
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_URL: databaseUrl,
    ...(databaseUrl.startsWith("postgres") ? { SECRETS_KEY: TEST_SECRETS_KEY } : {}),
    CONVERSATIONS_DIR: path.join(dir, "conversations"),
    MEDIA_DIR: path.join(dir, "media"),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ADMIN_API_TOKEN,
    LOG_LEVEL: "info",
    ...env,
  });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  const app = await buildApp(config, { ...options, logger: pino({ level: config.LOG_LEVEL }, sink) });
  const url = await app.start();
  return {
    app,
    url,
    dir,
    logs,
    async stop() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CallOptions {
  token?: string;
  cookie?: string;
  csrfToken?: string;
  headers?: Record<string, string>;
}

function headersFor(options: CallOptions): Record<string, string> {
  return {
    "content-type": "application/json",
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(options.cookie ? { cookie: options.cookie } : {}),
    ...(options.csrfToken ? { "x-csrf-token": options.csrfToken } : {}),
    ...options.headers,
  };
}

export interface GraphQLAnswer<T> {
  status: number;
  data: T;
  errors?: Array<{ message: string }>;
}

/** A GraphQL request over real HTTP, as an integrator's script would make it. */
export async function graphql<T = Record<string, any>>(
  server: TestServer,
  query: string,
  variables: Record<string, unknown> = {},
  options: CallOptions = { token: ADMIN_API_TOKEN },
): Promise<GraphQLAnswer<T>> {
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: headersFor(options),
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  return { status: response.status, data: body.data, errors: body.errors };
}

export async function rest(server: TestServer, method: string, route: string, body?: unknown, options: CallOptions = {}) {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: headersFor(options),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** Logs in as a browser would; returns the cookie header and the CSRF token. */
export async function loginAs(server: TestServer, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const body = await response.json();
  const setCookie = response.headers.get("set-cookie") ?? "";
  return { status: response.status, body, setCookie, cookie: setCookie.split(";")[0], csrfToken: body.csrfToken as string };
}

/** A second, unrelated business with its own admin and API token: for isolation tests. */
export async function createOtherWorkspace(server: TestServer) {
  const { db } = server.app;
  const workspace = await db.workspace.create({ data: { name: "Other business" } });
  const user = await db.user.create({
    data: {
      workspaceId: workspace.id,
      email: `agent-${workspace.id}@other.example`,
      name: "Other agent",
      // A business's first user is its admin: the strongest caller the other workspace has.
      role: "ADMIN",
      passwordHash: await hashPassword("other password 123"),
    },
  });
  const viewer = { userId: user.id, workspaceId: workspace.id, role: user.role, csrfToken: null };
  const { token } = await createApiToken(db, viewer, "other");
  return { workspace, user, token };
}
