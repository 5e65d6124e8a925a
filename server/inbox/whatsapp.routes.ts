import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { viewerOf } from "../auth/http-auth.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { AppServices } from "../app-services.ts";
import { WhatsAppNotConfiguredError, whatsappStatus } from "../business-number/business-number.ts";
import { InvalidPhoneNumberError, SendFailedError, WindowClosedError } from "./send-errors.ts";
import { sendWhatsAppText } from "./send.service.ts";

const sendBody = z.object({
  contactId: z.string().optional(),
  phoneNumber: z.string().optional(),
  message: z.string({ error: "message is required" }),
  replyToWamid: z.string().optional(),
  idempotencyKey: z.string().max(200).optional(),
});

/** The guide's error answers: one HTTP status and one sentence per kind of failure. */
function answerSendError(reply: FastifyReply, error: unknown) {
  const fail = (status: number, body: Record<string, unknown>) => reply.status(status).send({ success: false, ...body });
  if (error instanceof WhatsAppNotConfiguredError) return fail(503, { error: error.message, missing: error.missing });
  if (error instanceof InvalidPhoneNumberError) return fail(400, { error: error.message, reason: error.reason });
  if (error instanceof ValidationError) return fail(400, { error: error.message, fieldErrors: error.fieldErrors });
  if (error instanceof NotFoundError) return fail(404, { error: error.message });
  if (error instanceof WindowClosedError) return fail(422, { error: error.message, code: "WINDOW_CLOSED" });
  if (error instanceof SendFailedError) {
    return fail(502, { error: error.message, code: error.code, title: error.title, details: error.details, id: error.messageId });
  }
  throw error;
}

/** The REST API of the original guide: the same domain services as GraphQL, another door. */
export function registerWhatsAppRoutes(app: FastifyInstance, services: AppServices) {
  app.get("/api/whatsapp/status", async (request) => whatsappStatus(services.db, services.config, viewerOf(request).workspaceId));

  app.post("/api/whatsapp/send", async (request, reply) => {
    const body = sendBody.safeParse(request.body ?? {});
    if (!body.success) return reply.status(400).send({ success: false, error: body.error.issues[0]?.message ?? "Invalid body" });
    const headerKey = request.headers["idempotency-key"];
    try {
      const outcome = await sendWhatsAppText(services, viewerOf(request), {
        ...body.data,
        idempotencyKey: body.data.idempotencyKey ?? (typeof headerKey === "string" ? headerKey : undefined),
      });
      return reply.status(outcome.queued ? 202 : 200).send({
        success: true,
        messageId: outcome.message.wamid,
        id: outcome.message.id,
        recipient: outcome.recipient,
        phone: outcome.phone,
        queued: outcome.queued,
        message: outcome.queued ? "Message queued: WhatsApp is busy, it will be retried" : "Message sent successfully",
      });
    } catch (error) {
      return answerSendError(reply, error);
    }
  });
}
