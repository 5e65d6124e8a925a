import type { IncomingMessage, Server } from "node:http";
import type { FastifyHttpOptions, FastifyInstance } from "fastify";
import { sendError } from "./error.ts";
import type { Config } from "../config.ts";

/**
 * A connection making no progress in either direction for this long is closed. Above the
 * longest a request may wait on its own (a Graph API or AI call: 120 s at most), so only
 * abandoned or stalling connections meet it. @default 150000
 */
export const IDLE_TIMEOUT_MS = 150_000;

/**
 * Bodies one address may be sending at once to public routes (Meta's webhook, login, logout),
 * whose senders are not known until the body is read. Each holds up to 3 MB in memory; Meta's
 * deliveries arrive whole in a packet or two, so even at concurrency 32 few are ever unfinished
 * at the same moment. @default 64
 */
export const PUBLIC_UPLOADS_PER_ADDRESS = 64;

/**
 * Fastify's server options for timeouts (all 0, "never", by default): headers must arrive within
 * PUBLIC_REQUEST_TIMEOUT_MS, and an idle connection closes after IDLE_TIMEOUT_MS. Node checks
 * its deadlines every `connectionsCheckingInterval` (30 s by default): checked each second here,
 * so a deadline means what it says. Bodies have their own deadline (limitPublicUploads).
 */
export function serverTimeouts(config: Config): Pick<FastifyHttpOptions<Server>, "connectionTimeout" | "http"> {
  return {
    connectionTimeout: IDLE_TIMEOUT_MS,
    http: { headersTimeout: config.PUBLIC_REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1_000 },
  };
}

/** What Node itself answers when its own request timeout strikes. */
const REQUEST_TIMEOUT_ANSWER = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

const hasBody = (raw: IncomingMessage) =>
  raw.headers["transfer-encoding"] !== undefined || Number(raw.headers["content-length"] ?? 0) > 0;

/**
 * Bounds what strangers can hold. A public route's body must arrive within
 * PUBLIC_REQUEST_TIMEOUT_MS of the request (Meta finishes a delivery in well under a second),
 * else the connection is cut; one address may send PUBLIC_UPLOADS_PER_ADDRESS such bodies at
 * once, and the next is answered 429 unread. Other routes authenticate from the headers alone
 * (http-auth.ts), so a stranger's body there is never read. Any answer given before the body
 * arrived closes the connection, so the rest of that body is not waited for either.
 */
export function limitPublicUploads(app: FastifyInstance, config: Config) {
  const uploading = new Map<string, number>();
  const release = (address: string) => {
    const left = (uploading.get(address) ?? 1) - 1;
    if (left > 0) uploading.set(address, left);
    else uploading.delete(address);
  };

  app.addHook("onRequest", async (request, reply) => {
    if (!request.routeOptions.config.public || !hasBody(request.raw)) return;
    const address = request.ip;
    const count = (uploading.get(address) ?? 0) + 1;
    if (count > PUBLIC_UPLOADS_PER_ADDRESS) {
      reply.header("retry-after", 1);
      return sendError(reply, 429, "Too many uploads at once from this address: try again in 1 s");
    }
    uploading.set(address, count);
    const deadline = setTimeout(() => {
      const { socket } = request.raw;
      if (reply.raw.headersSent) socket.destroy();
      else socket.end(REQUEST_TIMEOUT_ANSWER, () => socket.destroy());
    }, config.PUBLIC_REQUEST_TIMEOUT_MS);
    // A request closes once its body is read whole, or when its connection ends.
    request.raw.once("close", () => {
      clearTimeout(deadline);
      release(address);
    });
  });

  app.addHook("onSend", async (request, reply) => {
    if (!request.raw.complete && hasBody(request.raw)) reply.header("connection", "close");
  });
}
