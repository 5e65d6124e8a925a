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

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } });
}
