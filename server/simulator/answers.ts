/**
 * The customer answers one of the business's messages: taps a reply button or a list row,
 * submits a Flow (`nfm_reply` with `response_json`, carrying the message's flow_token back), fills
 * an address form (`address_message`) or shares a location — each quoting the message answered
 * in `context`, as WhatsApp sends them.
 */
import { z } from "zod";
import type { InboundInput } from "./inbound.ts";
import type { SentMessage } from "./state.ts";

export const answerInputSchema = z
  .object({
    /** The wamid of the business's message being answered. */
    to: z.string().min(1),
    buttonId: z.string().optional(),
    rowId: z.string().optional(),
    /** A Flow's fields, as the Flow names them. */
    flowResponse: z.record(z.string(), z.unknown()).optional(),
    /** An address form's values (name, house_number, address, city, in_pin_code…). */
    address: z.record(z.string(), z.string()).optional(),
    location: z.object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }).optional(),
    name: z.string().min(1).default("Simulated Customer"),
  })
  .refine((input) => [input.buttonId, input.rowId, input.flowResponse, input.address, input.location].filter((given) => given !== undefined).length === 1, {
    message: "give exactly one of buttonId, rowId, flowResponse, address and location",
  });
export type AnswerInput = z.input<typeof answerInputSchema>;

/** The answer cannot be given to that message (no such message, button or row). */
export class AnswerError extends Error {}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

export function answerInbound(sent: SentMessage | undefined, input: z.output<typeof answerInputSchema>): InboundInput {
  if (!sent) throw new AnswerError(`No message ${input.to} was sent`);
  const customer = /^\d+$/.test(sent.to) ? { from: sent.to } : { user_id: sent.to };
  const base = { ...customer, name: input.name, context: { id: sent.wamid } };
  const interactive = isObject(sent.request.interactive) ? (sent.request.interactive as Json) : null;
  const action = interactive && isObject(interactive.action) ? interactive.action : {};
  if (input.location) return { ...base, type: "location", location: input.location };
  if (input.buttonId !== undefined) {
    const buttons = Array.isArray(action.buttons) ? action.buttons : [];
    const reply = buttons.map((button) => (isObject(button) ? button.reply : null)).find((candidate) => isObject(candidate) && candidate.id === input.buttonId) as Json | undefined;
    if (!reply) throw new AnswerError(`Message ${input.to} has no button ${input.buttonId}`);
    return { ...base, type: "interactive", interactive: { type: "button_reply", button_reply: { id: String(reply.id), title: String(reply.title) } } };
  }
  if (input.rowId !== undefined) {
    const sections = Array.isArray(action.sections) ? action.sections : [];
    const rows = sections.flatMap((section) => (isObject(section) && Array.isArray(section.rows) ? section.rows : []));
    const row = rows.find((candidate) => isObject(candidate) && candidate.id === input.rowId) as Json | undefined;
    if (!row) throw new AnswerError(`Message ${input.to} has no row ${input.rowId}`);
    return {
      ...base,
      type: "interactive",
      interactive: { type: "list_reply", list_reply: { id: String(row.id), title: String(row.title), ...(row.description ? { description: String(row.description) } : {}) } },
    };
  }
  if (input.address) {
    return {
      ...base,
      type: "interactive",
      interactive: { type: "nfm_reply", nfm_reply: { name: "address_message", body: "Address", response_json: JSON.stringify({ saved_address_id: "0", values: input.address }) } },
    };
  }
  const parameters = isObject(action.parameters) ? action.parameters : {};
  if (interactive?.type !== "flow" || typeof parameters.flow_token !== "string") throw new AnswerError(`Message ${input.to} is not a Flow`);
  return {
    ...base,
    type: "interactive",
    interactive: { type: "nfm_reply", nfm_reply: { name: "flow", body: "Sent", response_json: JSON.stringify({ ...input.flowResponse, flow_token: parameters.flow_token }) } },
  };
}
