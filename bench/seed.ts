/**
 * Databases for the benchmark, built before the server starts: the product's own migrations
 * (server/db/migrate.ts), then rows written with the raw SQLite driver in big transactions — a
 * million messages take seconds this way, hours through the API. Values have the product's exact
 * shapes (ids are any unique text; DateTime is ISO with "+00:00", as Prisma writes it).
 */
import { createClient, type Client, type InStatement } from "@libsql/client";
import { hashPassword } from "../server/auth/password.ts";
import { applyMigrations } from "../server/db/migrate.ts";
import {
  ADMIN,
  BUSINESS_ACCOUNT_ID,
  customerWaId,
  DISPLAY_PHONE_NUMBER,
  EMPTY_AGENT,
  EMPTY_WORKSPACE_ID,
  PHONE_NUMBER_ID,
  seededContactId,
  seededConversationId,
  sqliteDate,
  WORKSPACE_ID,
} from "./fixtures.ts";

export interface SeedOptions {
  /** Conversations with customers customerWaId(customerGroup, 0…n-1). */
  conversations: number;
  customerGroup?: number;
  /** Spread evenly over the conversations, the newest a minute ago, the oldest 30 days ago. */
  messages: number;
  /** Share of conversations whose customer is also a saved contact (by name). */
  contactShare?: number;
  /** Outbound messages already accepted by Meta (wamid `wamid.bench.out.<n>`): targets of status webhooks. */
  sentOutbound?: number;
  /** A second workspace with one agent and nothing else: the empty-inbox baseline. */
  emptyWorkspace?: boolean;
}

export interface SeededDatabase {
  conversationIds: string[];
  /** Terms that match some conversations: fragments of customer and contact names. */
  searchTerms: string[];
  sentOutboundWamids: string[];
}

const FIRST_NAMES = ["Priya", "Ravi", "Asha", "Vikram", "Neha", "Arjun", "Meera", "Rahul", "Kavya", "Sanjay", "Divya", "Imran", "Pooja", "Karan", "Anjali", "Suresh"];
const LAST_NAMES = ["Sharma", "Kumar", "Patel", "Singh", "Gupta", "Reddy", "Iyer", "Verma", "Nair", "Khan", "Das", "Joshi", "Mehta", "Rao"];
const nameOf = (index: number) => `${FIRST_NAMES[index % FIRST_NAMES.length]} ${LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length]}`;

const DAY_MS = 86_400_000;

async function inChunks(client: Client, statements: InStatement[], size = 2_000) {
  for (let start = 0; start < statements.length; start += size) await client.batch(statements.slice(start, start + size), "write");
}

/** Migrates and fills a fresh SQLite database at `databaseUrl` (a `file:` URL). */
export async function seedDatabase(databaseUrl: string, options: SeedOptions): Promise<SeededDatabase> {
  await applyMigrations(databaseUrl);
  const client = createClient({ url: databaseUrl });
  try {
    const now = Date.now();
    const created = sqliteDate(now - 31 * DAY_MS);
    const statements: InStatement[] = [
      { sql: `INSERT INTO "Workspace" (id, name, createdAt) VALUES (?, ?, ?)`, args: [WORKSPACE_ID, "Bench business", created] },
      {
        sql: `INSERT INTO "User" (id, workspaceId, email, name, passwordHash, role, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, 'ADMIN', ?, ?)`,
        args: [ADMIN.id, WORKSPACE_ID, ADMIN.email, "Bench admin", await hashPassword(ADMIN.password), created, created],
      },
      // A business that broadcasts to 100,000 customers has Meta's unlimited tier: the campaign's limit check lets it through.
      {
        sql: `INSERT INTO "WhatsAppPhoneNumber" (phoneNumberId, workspaceId, displayPhoneNumber, businessAccountId, messagingLimitTier, createdAt) VALUES (?, ?, ?, ?, 'TIER_UNLIMITED', ?)`,
        args: [PHONE_NUMBER_ID, WORKSPACE_ID, DISPLAY_PHONE_NUMBER, BUSINESS_ACCOUNT_ID, created],
      },
    ];
    if (options.emptyWorkspace) {
      statements.push(
        { sql: `INSERT INTO "Workspace" (id, name, createdAt) VALUES (?, ?, ?)`, args: [EMPTY_WORKSPACE_ID, "Empty business", created] },
        {
          sql: `INSERT INTO "User" (id, workspaceId, email, name, passwordHash, role, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, 'AGENT', ?, ?)`,
          args: [EMPTY_AGENT.id, EMPTY_WORKSPACE_ID, EMPTY_AGENT.email, "Empty agent", await hashPassword(EMPTY_AGENT.password), created, created],
        },
      );
    }

    // Message x belongs to conversation x % C; its time grows with x.
    const { conversations: count, messages } = options;
    const newest = now - 60_000;
    const stepMs = messages > 1 ? (30 * DAY_MS) / messages : 0;
    const messageTime = (x: number) => newest - (messages - 1 - x) * stepMs;
    const isOutbound = (x: number) => x % 3 === 2;
    const contacts = Math.round(count * (options.contactShare ?? 0));
    const group = options.customerGroup ?? 0;
    const conversationIds: string[] = [];
    for (let index = 0; index < count; index++) {
      const waId = customerWaId(group, index);
      const id = seededConversationId(index);
      conversationIds.push(id);
      let last = index < messages ? index + count * Math.floor((messages - 1 - index) / count) : -1;
      const lastMessageAt = last >= 0 ? messageTime(last) : null;
      while (last >= 0 && isOutbound(last)) last -= count;
      const lastInboundAt = last >= 0 ? messageTime(last) : null;
      const contactId = index < contacts ? seededContactId(index) : null;
      if (contactId) {
        statements.push({
          sql: `INSERT INTO "Contact" (id, workspaceId, name, whatsappNumber, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)`,
          args: [contactId, WORKSPACE_ID, `${nameOf(index)} (${index})`, `+${waId}`, created, created],
        });
      }
      statements.push({
        sql: `INSERT INTO "Conversation" (id, workspaceId, waId, contactId, businessPhoneNumberId, profileName, lastMessageAt, lastMessagePreview, unreadCount, lastInboundAt, createdAt, updatedAt)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [
          id, WORKSPACE_ID, waId, contactId, PHONE_NUMBER_ID, nameOf(index * 7 + 3),
          lastMessageAt === null ? null : sqliteDate(lastMessageAt), last >= 0 ? `Message ${last}` : null, index % 4,
          lastInboundAt === null ? null : sqliteDate(lastInboundAt), created, created,
        ],
      });
    }
    await inChunks(client, statements);

    // A million rows through one INSERT … SELECT per chunk: generated inside SQLite, no round trips.
    const CHUNK = 100_000;
    for (let start = 0; start < messages; start += CHUNK) {
      await client.execute({
        sql: `WITH RECURSIVE seq(x) AS (SELECT ? UNION ALL SELECT x + 1 FROM seq WHERE x + 1 < ?)
              INSERT INTO "WhatsAppMessage" (id, workspaceId, conversationId, wamid, direction, type, text, preview, status, raw, timestamp, attempts, createdAt, updatedAt)
              SELECT printf('mbench%012d', x), ?, printf('cbench%010d', x % ?), 'wamid.seed.' || x,
                     CASE WHEN x % 3 = 2 THEN 'OUTBOUND' ELSE 'INBOUND' END, 'text',
                     'Message ' || x, 'Message ' || x, CASE WHEN x % 3 = 2 THEN 'READ' ELSE 'RECEIVED' END,
                     '{"type":"text"}', t, 0, t, t
              FROM (SELECT x, strftime('%Y-%m-%dT%H:%M:%f', (? - (? - 1 - x) * ?) / 1000.0, 'unixepoch') || '+00:00' AS t FROM seq)`,
        args: [start, Math.min(messages, start + CHUNK), WORKSPACE_ID, count, newest, messages, stepMs],
      });
    }

    const sentOutboundWamids: string[] = [];
    const outbound: InStatement[] = [];
    for (let index = 0; index < (options.sentOutbound ?? 0); index++) {
      const wamid = `wamid.bench.out.${index}`;
      sentOutboundWamids.push(wamid);
      const at = sqliteDate(now - 3_600_000);
      outbound.push({
        sql: `INSERT INTO "WhatsAppMessage" (id, workspaceId, conversationId, wamid, direction, type, text, preview, status, statusAt, raw, timestamp, attempts, createdAt, updatedAt)
              VALUES (?, ?, ?, ?, 'OUTBOUND', 'text', ?, ?, 'SENT', ?, '{}', ?, 1, ?, ?)`,
        args: [`obench${String(index).padStart(10, "0")}`, WORKSPACE_ID, conversationIds[index % conversationIds.length]!, wamid, "Your order has shipped", "Your order has shipped", at, at, at, at],
      });
    }
    await inChunks(client, outbound);

    // Start the server on a compact file: without this, the first close checkpoints a WAL of every seeded row.
    await client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    const searchTerms = [...FIRST_NAMES.slice(0, 6), ...LAST_NAMES.slice(0, 6), "Priya Sh", "Kumar (1"];
    return { conversationIds, searchTerms, sentOutboundWamids };
  } finally {
    client.close();
  }
}
