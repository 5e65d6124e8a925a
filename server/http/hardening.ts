import type { FastifyInstance } from "fastify";
import { sendError } from "./error.ts";
import { findMalformedText, MALFORMED_TEXT_MESSAGE } from "./json-input.ts";

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
