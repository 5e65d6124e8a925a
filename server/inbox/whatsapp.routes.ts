import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { viewerOf } from "../auth/http-auth.ts";
import type { AppServices } from "../app-services.ts";
import { sendWhatsAppText, type SendOutcome } from "./send.service.ts";
import { sendWhatsAppInteractive } from "./send-interactive.ts";

const sendBody = z.object({
  contactId: z.string().optional(),
  phoneNumber: z.string().optional(),
  /** A customer's business-scoped user ID, for customers whose number is hidden. */
  userId: z.string().optional(),
  message: z.string({ error: "message is required" }),
  replyToWamid: z.string().optional(),
  /** The workspace's number to send from (Meta's phone number id); default: the conversation's, else the first. */
  fromPhoneNumberId: z.string().max(64).optional(),
  idempotencyKey: z.string().max(200).optional(),
});

const text = z.string();
/** The same fields as GraphQL's SendWhatsAppInteractiveInput; Meta's limits are checked by the service. */
const sendInteractiveBody = z.object({
  contactId: z.string().optional(),
  phoneNumber: z.string().optional(),
  userId: z.string().optional(),
  header: text.nullish(),
  body: z.string({ error: "body is required" }),
  footer: text.nullish(),
  buttons: z.array(z.object({ id: text, title: text })).nullish(),
  list: z.object({ button: text, sections: z.array(z.object({ title: text.nullish(), rows: z.array(z.object({ id: text, title: text, description: text.nullish() })) })) }).nullish(),
  ctaUrl: z.object({ displayText: text, url: text }).nullish(),
  locationRequest: z.boolean().nullish(),
  flow: z
    .object({ flowId: text, flowCta: text, flowToken: text.nullish(), mode: z.enum(["navigate", "data_exchange"]).nullish(), screen: text.nullish(), data: z.record(z.string(), z.unknown()).nullish() })
    .nullish(),
  replyToWamid: z.string().optional(),
  fromPhoneNumberId: z.string().max(64).optional(),
  idempotencyKey: z.string().max(200).optional(),
});

function sentAnswer(outcome: SendOutcome) {
  return {
    success: true,
    messageId: outcome.message.wamid,
    id: outcome.message.id,
    recipient: outcome.recipient,
    phone: outcome.phone,
    queued: outcome.queued,
    message: outcome.queued ? "Message queued: WhatsApp is busy, it will be retried" : "Message sent successfully",
  };
}

/** The REST API of the original guide: the same domain services as GraphQL, another door. */
export function registerWhatsAppRoutes(app: FastifyInstance, services: AppServices) {
  app.get("/api/whatsapp/status", async (request) => services.numbers.status(viewerOf(request).workspaceId));

  app.post("/api/whatsapp/send", async (request, reply) => {
    const body = sendBody.safeParse(request.body ?? {});
    if (!body.success) return reply.status(400).send({ success: false, error: body.error.issues[0]?.message ?? "Invalid body" });
    const headerKey = request.headers["idempotency-key"];
    // Refusals (window closed, not configured, Meta failed…) answer through http/error.ts.
    const outcome = await sendWhatsAppText(services, viewerOf(request), {
      ...body.data,
      idempotencyKey: body.data.idempotencyKey ?? (typeof headerKey === "string" ? headerKey : undefined),
    });
    return reply.status(outcome.queued ? 202 : 200).send(sentAnswer(outcome));
  });

  app.post("/api/whatsapp/send-interactive", async (request, reply) => {
    const body = sendInteractiveBody.safeParse(request.body ?? {});
    if (!body.success) {
      const issue = body.error.issues[0];
      return reply.status(400).send({ success: false, error: issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "Invalid body" });
    }
    const headerKey = request.headers["idempotency-key"];
    const outcome = await sendWhatsAppInteractive(services, viewerOf(request), {
      ...body.data,
      idempotencyKey: body.data.idempotencyKey ?? (typeof headerKey === "string" ? headerKey : undefined),
    });
    return reply.status(outcome.queued ? 202 : 200).send(sentAnswer(outcome));
  });
}
