import type { FastifyError, FastifyInstance } from "fastify";
import { sendError } from "../auth/http-auth.ts";
import { findMalformedText, MALFORMED_TEXT_MESSAGE } from "./json-input.ts";

/**
 * Every error answer in the REST shape `{ success: false, error }`. A refused request (4xx:
 * invalid JSON, body too large, rate limited) says why; an unexpected failure (5xx) is logged and
 * answered with one sentence, since its message may quote code, queries or paths.
 */
export function registerErrorAnswers(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | { statusCode?: number; error?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, status, error instanceof Error ? error.message : (error.error ?? "Bad request"));
    }
    request.log.error({ err: error }, "Unexpected error");
    return sendError(reply, 500, "Internal server error");
  });
}

/**
 * Refuses REST input holding text the database cannot store (see json-input.ts) with 400
 * before any handler runs; GraphQL (`except`) refuses it in its own error format.
 */
export function refuseMalformedText(app: FastifyInstance, except: string) {
  app.addHook("preValidation", async (request, reply) => {
    if (request.routeOptions.url === except) return;
    const where = findMalformedText(request.body) ?? findMalformedText(request.query);
    if (where) return sendError(reply, 400, `${where}: ${MALFORMED_TEXT_MESSAGE}`);
  });
}
