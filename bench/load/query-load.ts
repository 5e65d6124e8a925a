/**
 * Load generator (its own process) for the inbox's reads: the first page of conversations, a page of
 * history, a search — one request at a time, as an agent's screen asks — through the product's
 * GraphQL API, or, as the baseline, the equivalent SQL straight on the same database file with the
 * raw driver (what the database alone costs).
 */
import { createClient, type Client } from "@libsql/client";
import { WORKSPACE_ID } from "../fixtures.ts";
import { randomSource } from "./payloads.ts";
import { CONVERSATIONS_PAGE_SIZE, CONVERSATIONS_QUERY, MESSAGES_PAGE_SIZE, MESSAGES_QUERY } from "./documents.ts";
import { graphql, keepAliveAgent } from "./http.ts";
import { serveRpc } from "./ipc.ts";

export type QueryKind = "firstPage" | "history" | "search";

export interface QueryParams {
  kind: QueryKind;
  via: "graphql" | "sql";
  url: string;
  token: string;
  databaseUrl: string;
  count: number;
  conversationIds: string[];
  searchTerms: string[];
  seed: number;
}

const SQL: Record<QueryKind, string> = {
  firstPage: `SELECT c.*, k.id AS contactKey, k.name AS contactName FROM "Conversation" c LEFT JOIN "Contact" k ON k.id = c.contactId
              WHERE c.workspaceId = ? ORDER BY c.lastMessageAt DESC, c.id DESC LIMIT ${CONVERSATIONS_PAGE_SIZE + 1}`,
  history: `SELECT * FROM "WhatsAppMessage" WHERE conversationId = ? AND workspaceId = ? ORDER BY timestamp DESC, id DESC LIMIT ${MESSAGES_PAGE_SIZE + 1}`,
  search: `SELECT c.*, k.id AS contactKey, k.name AS contactName FROM "Conversation" c LEFT JOIN "Contact" k ON k.id = c.contactId
           WHERE c.workspaceId = ? AND (c.profileName LIKE ? OR k.name LIKE ? OR c.waId LIKE ?)
           ORDER BY c.lastMessageAt DESC, c.id DESC LIMIT ${CONVERSATIONS_PAGE_SIZE + 1}`,
};

type Edges = { edges: unknown[] };
type Answer = { conversations?: Edges; messages?: Edges };

let database: Client | null = null;
const agent = keepAliveAgent(1);

async function run(params: QueryParams) {
  const random = randomSource(params.seed);
  const latenciesMs: number[] = [];
  const errors: string[] = [];
  let emptyAnswers = 0;
  const url = new URL("/graphql", params.url);
  database ??= createClient({ url: params.databaseUrl });

  for (let index = 0; index < params.count; index++) {
    const conversationId = random.pick(params.conversationIds);
    const term = random.pick(params.searchTerms);
    const started = performance.now();
    let edges = 0;
    if (params.via === "graphql") {
      const variables =
        params.kind === "history" ? { conversationId, last: MESSAGES_PAGE_SIZE }
        : { first: CONVERSATIONS_PAGE_SIZE, search: params.kind === "search" ? term : null };
      const answer = await graphql<Answer>(agent, url, params.token, params.kind === "history" ? MESSAGES_QUERY : CONVERSATIONS_QUERY, variables);
      latenciesMs.push(performance.now() - started);
      if (answer.errors.length > 0 || !answer.data) errors.push(answer.errors[0]?.message ?? `HTTP ${answer.status}`);
      edges = (answer.data?.conversations ?? answer.data?.messages)?.edges.length ?? 0;
    } else {
      const digits = term.replace(/\D/g, "");
      const args =
        params.kind === "history" ? [conversationId, WORKSPACE_ID]
        : params.kind === "search" ? [WORKSPACE_ID, `%${term}%`, `%${term}%`, digits.length >= 3 ? `%${digits}%` : null]
        : [WORKSPACE_ID];
      const result = await database.execute({ sql: SQL[params.kind], args });
      latenciesMs.push(performance.now() - started);
      edges = result.rows.length;
    }
    if (edges === 0) emptyAnswers++;
  }
  return { latenciesMs, errors: errors.length, firstError: errors[0] ?? null, emptyAnswers };
}

const api = { run };
export type QueryLoadApi = typeof api;
serveRpc(api);
