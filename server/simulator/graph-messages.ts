/**
 * `POST /{version}/{phone-number-id}/messages`: Meta's rules after the shape checks — forced
 * failures, throughput, templates, reachability and the 24-hour window — then acceptance and the
 * status webhooks that follow.
 */
import type { MediaKind, MessageTemplate, SendMessageRequest, SendMessageResponse, TemplateObject } from "../whatsapp/cloud-api.ts";
import { newWamid } from "./inbound.ts";
import { graphError, invalidParameterError, type GraphErrorAnswer } from "./meta-errors.ts";
import { messagingLimitRefusal, recordBusinessInitiated } from "./messaging-limits.ts";
import { parseMessagesRequest } from "./send-validation.ts";
import { templatesOf, type ForcedFailure, type SentMessage, type SimulatorState } from "./state.ts";
import { scheduleStatuses, type StatusContext } from "./statuses.ts";
import { bodyPlaceholderCount } from "./templates.ts";

/** The customer-service window Meta opens with each message from the customer. */
export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;
const THROUGHPUT_WINDOW_MS = 1000;
const MEDIA_TYPES: readonly string[] = ["image", "video", "audio", "document", "sticker"] satisfies MediaKind[];

/** An HTTP answer of the simulated Graph API. */
export type Answer =
  | { status: number; json: unknown; errorCode: number | null }
  | { status: number; raw: string | Buffer; contentType: string; errorCode: number | null };

export function errorAnswer({ httpStatus, body }: GraphErrorAnswer): Answer {
  return { status: httpStatus, json: body, errorCode: body.error.code };
}

/** `arrivedAtMs`: when the request reached the server — what Meta's throughput limit counts. */
export async function handleMessages(context: StatusContext, version: string, body: unknown, arrivedAtMs: number): Promise<Answer> {
  const parsed = parseMessagesRequest(body);
  if (parsed.kind === "invalid") return errorAnswer(parsed.error);
  if (parsed.kind === "read") return { status: 200, json: { success: true }, errorCode: null };

  const { request, customer } = parsed;
  const { state } = context;
  const forced = takeForcedFailure(state);
  if (forced?.kind === "http") {
    return { status: forced.status, raw: "<html><body>Internal Server Error</body></html>", contentType: "text/html", errorCode: null };
  }
  if (forced?.kind === "timeout") {
    await context.scheduler.sleep(forced.hangMs);
    return errorAnswer(graphError(131000));
  }
  if (forced?.kind === "meta" && forced.at === "request") return errorAnswer(graphError(forced.code));
  if (forced?.kind === "slow") await context.scheduler.sleep(forced.delayMs);

  let failureCode = forced?.kind === "meta" ? forced.code : null;
  if (failureCode === null) {
    const refusal = businessRefusal(state, request, customer, arrivedAtMs, context.phoneNumberId, context.businessAccountId);
    if (refusal && (refusal.deferrable === false || state.settings.refusalsAt === "request")) return errorAnswer(refusal.error);
    if (refusal) failureCode = refusal.error.body.error.code;
    else if (!isWindowOpen(state, customer, arrivedAtMs)) recordBusinessInitiated(state, state.numbers.get(context.phoneNumberId), customer, arrivedAtMs);
  }
  const answer = accept(context, version, request, customer, failureCode, arrivedAtMs);
  if (forced?.kind === "lateAnswer") await context.scheduler.sleep(forced.delayMs);
  return answer;
}

function takeForcedFailure(state: SimulatorState): ForcedFailure | null {
  const next = state.failures[0];
  if (!next) return null;
  next.remaining -= 1;
  if (next.remaining <= 0) state.failures.shift();
  return next;
}

/** Why Meta would refuse this message; `deferrable` refusals may come as a `failed` status instead. */
function businessRefusal(
  state: SimulatorState,
  request: SendMessageRequest,
  customer: string,
  now: number,
  phoneNumberId: string,
  businessAccountId: string | undefined,
): { error: GraphErrorAnswer; deferrable: boolean } | null {
  if (recentSends(state, now) >= state.settings.messagesPerSecond) return { error: graphError(130429), deferrable: false };
  if (request.template) {
    const problem = templateProblem(templatesOf(state, businessAccountId), request.template);
    if (problem) return { error: problem, deferrable: false };
  }
  const mediaId = MEDIA_TYPES.includes(request.type) ? request[request.type as MediaKind]?.id : undefined;
  const media = mediaId === undefined ? undefined : state.media.get(mediaId);
  // A media id works only for the number that uploaded it.
  if (mediaId !== undefined && (!media || (media.uploadedBy !== undefined && media.uploadedBy !== phoneNumberId))) {
    return { error: invalidParameterError(`Param ${request.type}['id'] is not a valid media id`), deferrable: false };
  }
  if (state.notOnWhatsApp.has(customer)) return { error: graphError(131026), deferrable: true };
  // Meta: "Your business cannot message the user" once blocked; it documents no code of its own for it.
  if (state.blocked.has(customer)) return { error: graphError(131026, { details: "The business blocked this user" }), deferrable: false };
  const windowOpen = isWindowOpen(state, customer, now);
  if (request.type !== "template" && !windowOpen) return { error: graphError(131047), deferrable: true };
  if (!windowOpen) {
    const overLimit = messagingLimitRefusal(state, state.numbers.get(phoneNumberId), customer, now);
    if (overLimit) return { error: overLimit, deferrable: true };
  }
  return null;
}

function isWindowOpen(state: SimulatorState, customer: string, now: number) {
  const lastInbound = state.lastInboundAtMs.get(customer);
  return lastInbound !== undefined && now - lastInbound < SERVICE_WINDOW_MS;
}

/** Messages that arrived in the second before `now`. */
function recentSends(state: SimulatorState, now: number): number {
  let count = 0;
  // Concurrent requests finish out of arrival order, so the scan runs one window past the one counted.
  for (let index = state.sent.length - 1; index >= 0 && state.sent[index].atMs > now - 2 * THROUGHPUT_WINDOW_MS; index--) {
    const { atMs } = state.sent[index];
    if (atMs > now - THROUGHPUT_WINDOW_MS && atMs <= now) count++;
  }
  return count;
}

function templateProblem(templates: readonly MessageTemplate[], { name, language, components = [] }: TemplateObject): GraphErrorAnswer | null {
  const template = templates.find((candidate) => candidate.name === name && candidate.language === language.code);
  if (!template || template.status !== "APPROVED") {
    return graphError(132001, { details: `template name (${name}) does not exist in ${language.code}` });
  }
  const given = components
    .filter((component) => String(component.type).toLowerCase() === "body")
    .reduce((count, component) => count + (Array.isArray(component.parameters) ? component.parameters.length : 0), 0);
  const expected = bodyPlaceholderCount(template);
  if (given !== expected) {
    return graphError(132000, {
      details: `body: number of localizable_params (${given}) does not match the expected number of params (${expected})`,
    });
  }
  return null;
}

function accept(
  context: StatusContext,
  version: string,
  request: SendMessageRequest,
  customer: string,
  failureCode: number | null,
  atMs: number,
): Answer {
  const message: SentMessage = {
    wamid: newWamid(customer),
    phoneNumberId: context.phoneNumberId,
    to: customer,
    type: request.type,
    body: summary(request),
    request,
    atMs,
    at: new Date(atMs).toISOString(),
  };
  context.state.sent.push(message);
  const template = request.template
    ? templatesOf(context.state, context.businessAccountId).find((candidate) => candidate.name === request.template?.name)
    : undefined;
  scheduleStatuses(
    context,
    message,
    { category: template ? template.category.toLowerCase() : "service", withConversation: Number(version.slice(1).split(".")[0]) <= 23 },
    failureCode,
  );
  const answer: SendMessageResponse = {
    messaging_product: "whatsapp",
    contacts: [request.to ? { input: request.to, wa_id: customer } : { input: customer, user_id: customer }],
    messages: [{ id: message.wamid, ...(request.type === "template" ? { message_status: "accepted" } : {}) }],
  };
  return { status: 200, json: answer, errorCode: null };
}

function summary(request: SendMessageRequest): string | null {
  switch (request.type) {
    case "text":
      return request.text?.body ?? null;
    case "template":
      return request.template?.name ?? null;
    case "reaction":
      return request.reaction?.emoji ?? null;
    case "image":
    case "video":
    case "audio":
    case "document":
    case "sticker": {
      const media = request[request.type];
      return media?.caption ?? media?.filename ?? media?.link ?? media?.id ?? null;
    }
    default:
      return null;
  }
}
