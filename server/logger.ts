import type { FastifyBaseLogger } from "fastify";
import pino from "pino";

/** pino, typed as Fastify sees it so that the app and its routes share one logger type. */
export type Logger = FastifyBaseLogger;

/** Paths that may carry secrets: pino replaces them before anything is written. */
const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers['x-hub-signature-256']",
  'res.headers["set-cookie"]',
  "password",
  "token",
  "*.password",
  "*.token",
];

/** Invitation and password-reset links carry their secret in the path (`/invite/<token>`, `/api/auth/invite/<token>`). */
export function redactUrl(url: string): string {
  return url.replace(/\/invite\/[^/?#]+/, "/invite/[redacted]");
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    // Fastify's own request serializer, but with link secrets cut out of the URL.
    serializers: {
      req: (request: LoggedRequest) => ({
        method: request.method,
        url: redactUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
  });
}
