import { createRequire } from "node:module";
import { styleText } from "node:util";
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from "fastify";
import pino from "pino";
import type { PrettyOptions } from "pino-pretty";

/** pino, typed as Fastify sees it so that the app and its routes share one logger type. */
export type Logger = FastifyBaseLogger;

/** `pretty`: human-readable lines; `json`: one JSON object a line; `auto`: pretty on a terminal. */
export type LogFormat = "auto" | "pretty" | "json";

/**
 * A field marking a line written for the person at the terminal (the first admin's password):
 * pretty logs frame it so that it cannot be missed; JSON logs keep it a line like any other.
 */
export const NOTICE = "notice";

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

export function createLogger(level: string, format: LogFormat = "json"): Logger {
  const options = {
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
  };
  const pretty = format === "pretty" || (format === "auto" && process.stdout.isTTY) ? prettyStream() : null;
  return pretty ? pino(options, pretty) : pino(options);
}

const require = createRequire(import.meta.url);

function prettyStream() {
  let build: typeof import("pino-pretty").build;
  try {
    // A development dependency (so is the build `npm start` runs first): an install without
    // them, e.g. `npm ci --omit=dev` for a process manager, logs JSON instead.
    build = (require("pino-pretty") as typeof import("pino-pretty")).build;
  } catch {
    return null;
  }
  const colorize = Boolean(process.stdout.isTTY) && !("NO_COLOR" in process.env);
  const options: PrettyOptions = {
    colorize,
    // Written before the next line of code runs: nothing is lost when the process exits.
    sync: true,
    translateTime: "SYS:HH:MM:ss",
    ignore: `pid,hostname,${NOTICE}`,
    messageFormat: (log, messageKey) => {
      const message = String(log[messageKey] ?? "");
      return log[NOTICE] ? framed(message, colorize) : message;
    },
  };
  return build(options);
}

/** The message's lines in a box of their own, set apart by blank lines, bold when colours are on. */
function framed(message: string, colorize: boolean): string {
  const lines = message.split("\n");
  const width = Math.max(...lines.map((line) => line.length));
  const box = [`╔${"═".repeat(width + 4)}╗`, ...lines.map((line) => `║  ${line.padEnd(width)}  ║`), `╚${"═".repeat(width + 4)}╝`].join("\n");
  return `\n\n${colorize ? styleText(["bold", "yellow"], box) : box}\n`;
}

/**
 * Fastify's request lines ("incoming request", "request completed") at debug instead of info:
 * at the default level a browser's dozens of requests would bury start-up notices and warnings.
 * Failed requests keep their error level.
 */
export class QuietRequestLogs extends LogController {
  override incomingRequest(request: FastifyRequest) {
    if (!this.isLogDisabled(request)) request.log.debug({ req: request }, "incoming request");
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (error || this.isLogDisabled(request)) return super.requestCompleted(error, request, reply);
    reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, "request completed");
  }
}
