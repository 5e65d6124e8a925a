/**
 * The shape checks Meta makes on `POST /{phone-number-id}/messages` before anything else:
 * the envelope, the recipient and the type's object. Business rules (window, templates,
 * throughput) come after, in graph-messages.ts.
 */
import { isBsuid } from "../whatsapp/customer-id.ts";
import { CALLBACK_DATA_MAX_LENGTH, type MarkReadRequest, type SendMessageRequest } from "../whatsapp/cloud-api.ts";
import { invalidParameterError, type GraphErrorAnswer } from "./meta-errors.ts";
import { interactiveError } from "./interactive-validation.ts";
import { digitsOnly } from "./state.ts";

/** Longest text body Meta accepts, in characters. @default 4096 */
export const TEXT_BODY_MAX_CHARACTERS = 4096;
/** Longest media caption Meta accepts, in characters. @default 1024 */
export const CAPTION_MAX_CHARACTERS = 1024;

const SEND_TYPES = ["text", "template", "image", "video", "audio", "document", "sticker", "reaction", "location", "contacts", "interactive"];
const MEDIA_TYPES = ["image", "video", "audio", "document", "sticker"];
const INTERACTIVE_TYPES = ["button", "list", "cta_url", "product", "product_list", "flow", "location_request_message", "address_message"];

export type ParsedRequest =
  | { kind: "read"; request: MarkReadRequest }
  /** `customer`: the wa_id the request names in `to`, else the BSUID in `recipient` (`to` wins, as at Meta). */
  | { kind: "send"; request: SendMessageRequest; customer: string }
  | { kind: "invalid"; error: GraphErrorAnswer };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const characters = (text: string) => [...text].length;
const invalid = (details: string): ParsedRequest => ({ kind: "invalid", error: invalidParameterError(details) });

/** Reads a messages request as Meta would: a read receipt, a message to send, or a refusal. */
export function parseMessagesRequest(body: unknown): ParsedRequest {
  if (!isObject(body)) return invalid("The request body must be a JSON object");
  if (body.messaging_product !== "whatsapp") return invalid("The parameter messaging_product is required and must be whatsapp");
  if (body.status !== undefined) {
    if (body.status !== "read") return invalid("Param status must be read");
    if (typeof body.message_id !== "string" || body.message_id === "") return invalid("The parameter message_id is required");
    // Meta's "typing…" rides on the read receipt: `typing_indicator: {type: "text"}`, nothing else.
    if (body.typing_indicator !== undefined && (!isObject(body.typing_indicator) || body.typing_indicator.type !== "text")) {
      return invalid("Param typing_indicator['type'] must be text");
    }
    return { kind: "read", request: body as unknown as MarkReadRequest };
  }
  if (body.recipient_type !== undefined && body.recipient_type !== "individual") return invalid("Param recipient_type must be individual");
  const to = typeof body.to === "string" ? digitsOnly(body.to) : "";
  const recipient = typeof body.recipient === "string" ? body.recipient : "";
  if (!to && !recipient) return invalid("The parameter to or recipient is required");
  if (!to && !isBsuid(recipient)) return invalid("Param recipient must be a business-scoped user ID");
  const type = body.type ?? "text";
  if (typeof type !== "string" || !SEND_TYPES.includes(type)) return invalid(`Param type must be one of {${SEND_TYPES.join(", ")}}`);
  if (body.biz_opaque_callback_data !== undefined && (typeof body.biz_opaque_callback_data !== "string" || characters(body.biz_opaque_callback_data) > CALLBACK_DATA_MAX_LENGTH)) {
    return invalid(`Param biz_opaque_callback_data must be a string of at most ${CALLBACK_DATA_MAX_LENGTH} characters`);
  }
  if (body.context !== undefined && (!isObject(body.context) || typeof body.context.message_id !== "string")) {
    return invalid("Param context['message_id'] must be a string");
  }
  const content = body[type];
  // `contacts` is the one type whose object is an array.
  const problem =
    type === "contacts" ? contactsProblem(content)
    : isObject(content) ? typeProblem(type, content)
    : `The parameter ${type} is required`;
  if (problem) return invalid(problem);
  if (type === "interactive") {
    const error = interactiveError(content as Json);
    if (error) return { kind: "invalid", error };
  }
  return { kind: "send", request: { ...body, type } as unknown as SendMessageRequest, customer: to || recipient };
}

function typeProblem(type: string, content: Json): string | null {
  if (MEDIA_TYPES.includes(type)) return mediaProblem(type, content);
  switch (type) {
    case "text":
      if (typeof content.body !== "string" || content.body === "") return "The parameter text['body'] is required";
      if (characters(content.body) > TEXT_BODY_MAX_CHARACTERS) {
        return `Param text['body'] must be at most ${TEXT_BODY_MAX_CHARACTERS} characters long`;
      }
      if (content.preview_url !== undefined && typeof content.preview_url !== "boolean") return "Param text['preview_url'] must be a boolean";
      return null;
    case "template":
      if (typeof content.name !== "string" || content.name === "") return "The parameter template['name'] is required";
      if (!isObject(content.language) || typeof content.language.code !== "string") return "The parameter template['language']['code'] is required";
      if (content.components !== undefined && !Array.isArray(content.components)) return "Param template['components'] must be an array";
      return null;
    case "reaction":
      if (typeof content.message_id !== "string" || content.message_id === "") return "The parameter reaction['message_id'] is required";
      if (typeof content.emoji !== "string") return "The parameter reaction['emoji'] is required";
      return null;
    case "location":
      if (!isCoordinate(content.latitude) || !isCoordinate(content.longitude)) return "Params location['latitude'] and location['longitude'] are required";
      return null;
    case "interactive":
      if (typeof content.type !== "string" || !INTERACTIVE_TYPES.includes(content.type)) return "Param interactive['type'] is not valid";
      if (!isObject(content.action)) return "The parameter interactive['action'] is required";
      return null;
    default:
      return null;
  }
}

function contactsProblem(contacts: unknown): string | null {
  return Array.isArray(contacts) && contacts.length > 0 && contacts.every(isObject) ? null : "The parameter contacts is required";
}

function mediaProblem(type: string, media: Json): string | null {
  const hasId = typeof media.id === "string" && media.id !== "";
  const hasLink = typeof media.link === "string" && media.link !== "";
  if (hasId === hasLink) return `Param ${type} must contain exactly one of id and link`;
  if (hasLink && !/^https?:\/\/[^\s]+$/i.test(String(media.link))) return `Param ${type}['link'] must be a valid http(s) URL`;
  if (media.caption !== undefined) {
    if (type === "audio" || type === "sticker") return `Param ${type}['caption'] is not allowed`;
    if (typeof media.caption !== "string" || characters(media.caption) > CAPTION_MAX_CHARACTERS) {
      return `Param ${type}['caption'] must be at most ${CAPTION_MAX_CHARACTERS} characters long`;
    }
  }
  return null;
}

function isCoordinate(value: unknown): boolean {
  return (typeof value === "number" && Number.isFinite(value)) || (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)));
}
