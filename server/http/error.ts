import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { ExpectedError } from "../errors.ts";

/** A JSON error body shared by every REST route: `{ success: false, error }`. */
export function sendError(reply: FastifyReply, status: number, error: string) {
  return reply.status(status).send({ success: false, error });
}

/**
 * Every error answer in the REST shape `{ success: false, error }`. A domain's expected error
 * ({@link ExpectedError}) answers with its own status and fields, so no route maps errors itself.
 * A refused request (4xx: invalid JSON, body too large, rate limited) says why; an unexpected
 * failure (5xx) is logged and answered with one sentence, since its message may quote code,
 * queries or paths.
 */
export function registerErrorAnswers(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | ExpectedError | { statusCode?: number; error?: string }, request, reply) => {
    if (error instanceof ExpectedError) {
      return reply
        .status(error.httpStatus)
        .headers(error.httpHeaders ?? {})
        .send({ success: false, error: error.message, ...error.answerFields() });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, status, error instanceof Error ? error.message : (error.error ?? "Bad request"));
    }
    request.log.error({ err: error }, "Unexpected error");
    return sendError(reply, 500, "Internal server error");
  });
}
