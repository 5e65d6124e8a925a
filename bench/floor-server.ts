/**
 * The floor: the least a server could do for the same webhook and the same live event, in the same
 * runtime — node:http, verify the signature (the product's own function), parse, and store the same
 * messages in the same tables with the raw SQLite driver (@libsql/client, one transaction per POST,
 * the product's default durability); then push `messageAdded { id text }` to graphql-ws subscribers
 * with one serialisation per event. No framework, no ORM, no GraphQL execution, no file mirror.
 * The benchmark reports product/floor ratios against it, measured in the same run.
 *
 * Runs as its own process: FLOOR_DATABASE_URL (migrated and seeded beforehand), FLOOR_APP_SECRET,
 * FLOOR_API_TOKEN, FLOOR_WORKSPACE_ID, FLOOR_PHONE_NUMBER_ID; prints "floor listening on <url>".
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createClient, type InStatement } from "@libsql/client";
import { WebSocketServer, type WebSocket } from "ws";
import { verifySignature } from "../server/whatsapp/signature.ts";
import { sqliteDate } from "./fixtures.ts";

const required = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const databaseUrl = required("FLOOR_DATABASE_URL");
const appSecret = required("FLOOR_APP_SECRET");
const apiToken = required("FLOOR_API_TOKEN");
const workspaceId = required("FLOOR_WORKSPACE_ID");
const phoneNumberId = required("FLOOR_PHONE_NUMBER_ID");
const BODY_LIMIT_BYTES = 3 * 1024 * 1024;

interface Media {
  id?: string;
  mime_type?: string;
  caption?: string;
  filename?: string;
  voice?: boolean;
}
interface Message {
  from: string;
  id: string;
  timestamp: string;
  type: string;
  text?: { body: string };
  image?: Media;
  video?: Media;
  audio?: Media;
  document?: Media;
  location?: { latitude: number; longitude: number; name?: string };
}
interface Status {
  id: string;
  status: string;
  timestamp: string;
}
interface Payload {
  entry?: Array<{
    changes?: Array<{
      field: string;
      value?: { metadata?: { phone_number_id?: string }; contacts?: Array<{ wa_id: string; profile?: { name?: string } }>; messages?: Message[]; statuses?: Status[] };
    }>;
  }>;
}

const db = createClient({ url: databaseUrl });
let sequence = 0;
const newId = () => `floor${process.pid.toString(36)}${(++sequence).toString(36).padStart(9, "0")}`;

function describe(message: Message) {
  const media = message.image ?? message.video ?? message.audio ?? message.document;
  const text = message.text?.body ?? media?.caption ?? message.location?.name ?? null;
  const preview =
    message.type === "text" ? (text ?? "")
    : message.type === "image" ? `[Image]${text ? ` ${text}` : ""}`
    : message.type === "document" ? `[Document] ${media?.filename ?? ""}`
    : message.type === "audio" ? (media?.voice ? "[Voice message]" : "[Audio]")
    : message.type === "location" ? `[Location] ${text ?? ""}`
    : `[${message.type}]`;
  return { text, preview, media };
}

const UPSERT_CONVERSATION = `INSERT INTO "Conversation" (id, workspaceId, waId, profileName, businessPhoneNumberId, lastMessageAt, lastMessagePreview, unreadCount, lastInboundAt, createdAt, updatedAt)
  VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
  ON CONFLICT (workspaceId, businessPhoneNumberId, waId) DO UPDATE SET profileName = coalesce(excluded.profileName, profileName), lastMessageAt = excluded.lastMessageAt,
    lastMessagePreview = excluded.lastMessagePreview, lastInboundAt = excluded.lastInboundAt, unreadCount = unreadCount + 1, updatedAt = excluded.updatedAt`;
const INSERT_MESSAGE = `INSERT INTO "WhatsAppMessage" (id, workspaceId, conversationId, wamid, direction, type, text, preview, mediaId, mediaMimeType, mediaFilename,
    latitude, longitude, status, raw, timestamp, attempts, createdAt, updatedAt)
  SELECT ?, ?, c.id, ?, 'INBOUND', ?, ?, ?, ?, ?, ?, ?, ?, 'RECEIVED', ?, ?, 0, ?, ? FROM "Conversation" c WHERE c.workspaceId = ? AND c.businessPhoneNumberId = ? AND c.waId = ?
  ON CONFLICT (wamid) DO NOTHING`;
const APPLY_STATUS = `UPDATE "WhatsAppMessage" SET status = ?, statusAt = ?, updatedAt = ? WHERE wamid = ? AND status IN (SELECT value FROM json_each(?))`;
const STATUSES_BELOW: Record<string, string[]> = { delivered: ["PENDING", "QUEUED", "SENT"], read: ["PENDING", "QUEUED", "SENT", "DELIVERED"] };

/** The statements of one POST, and the messages to push once they are committed. */
function plan(payload: Payload) {
  const statements: InStatement[] = [];
  const added: Array<{ id: string; text: string | null }> = [];
  const now = sqliteDate(Date.now());
  for (const entry of payload.entry ?? []) {
    for (const change of entry.changes ?? []) {
      const value = change.value;
      if (change.field !== "messages" || value?.metadata?.phone_number_id !== phoneNumberId) continue;
      const names = new Map((value.contacts ?? []).map((contact) => [contact.wa_id, contact.profile?.name ?? null]));
      for (const message of value.messages ?? []) {
        const at = sqliteDate(Number(message.timestamp) * 1000);
        const { text, preview, media } = describe(message);
        statements.push({ sql: UPSERT_CONVERSATION, args: [newId(), workspaceId, message.from, names.get(message.from) ?? null, phoneNumberId, at, preview, at, now, now] });
        const id = newId();
        statements.push({
          sql: INSERT_MESSAGE,
          args: [id, workspaceId, message.id, message.type, text, preview, media?.id ?? null, media?.mime_type ?? null, media?.filename ?? null,
            message.location?.latitude ?? null, message.location?.longitude ?? null, JSON.stringify(message), at, now, now, workspaceId, phoneNumberId, message.from],
        });
        added.push({ id, text });
      }
      for (const status of value.statuses ?? []) {
        const below = STATUSES_BELOW[status.status];
        if (below) statements.push({ sql: APPLY_STATUS, args: [status.status.toUpperCase(), sqliteDate(Number(status.timestamp) * 1000), now, status.id, JSON.stringify(below)] });
      }
    }
  }
  return { statements, added };
}

function answer(response: http.ServerResponse, status: number, body: string) {
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
}

const server = http.createServer((request, response) => {
  if (request.method !== "POST" || request.url !== "/api/whatsapp/webhook") return answer(response, 404, '{"success":false}');
  const chunks: Buffer[] = [];
  let size = 0;
  request.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) request.destroy();
    else chunks.push(chunk);
  });
  request.on("end", async () => {
    const raw = Buffer.concat(chunks);
    const signature = request.headers["x-hub-signature-256"];
    if (!verifySignature(raw, typeof signature === "string" ? signature : undefined, appSecret)) return answer(response, 403, '{"success":false}');
    let payload: Payload;
    try {
      payload = JSON.parse(raw.toString("utf8")) as Payload;
    } catch {
      return answer(response, 400, '{"success":false}');
    }
    const { statements, added } = plan(payload);
    try {
      if (statements.length > 0) await db.batch(statements, "write");
    } catch (error) {
      console.error(error);
      return answer(response, 500, '{"success":false}');
    }
    answer(response, 200, '{"success":true}');
    for (const message of added) broadcast(message);
  });
});

// graphql-ws's protocol, the minimum of it: init → ack (token checked), subscribe, complete, ping.
const subscribers = new Map<WebSocket, string>();
const sockets = new WebSocketServer({ server, path: "/graphql" });
sockets.on("connection", (socket) => {
  let acknowledged = false;
  socket.on("message", (data) => {
    let message: { type?: string; id?: string; payload?: { authorization?: string } };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return socket.close(4400, "Invalid message");
    }
    if (message.type === "connection_init") {
      if (message.payload?.authorization !== `Bearer ${apiToken}`) return socket.close(4403, "Forbidden");
      acknowledged = true;
      socket.send('{"type":"connection_ack"}');
    } else if (message.type === "subscribe" && acknowledged && message.id) subscribers.set(socket, message.id);
    else if (message.type === "complete") subscribers.delete(socket);
    else if (message.type === "ping") socket.send('{"type":"pong"}');
  });
  socket.on("close", () => subscribers.delete(socket));
});

function broadcast(message: { id: string; text: string | null }) {
  const frames = new Map<string, string>();
  for (const [socket, id] of subscribers) {
    let frame = frames.get(id);
    if (!frame) frames.set(id, (frame = JSON.stringify({ id, type: "next", payload: { data: { messageAdded: message } } })));
    socket.send(frame);
  }
}

server.listen(0, "127.0.0.1", () => {
  console.log(`floor listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once("SIGTERM", () => {
  for (const socket of sockets.clients) socket.terminate();
  server.close(() => {
    db.close();
    process.exit(0);
  });
  server.closeAllConnections();
});
