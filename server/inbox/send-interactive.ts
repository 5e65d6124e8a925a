import { randomUUID } from "node:crypto";
import { ValidationError } from "../errors.ts";
import {
  contactCardProblems,
  interactivePreview,
  interactiveProblems,
  locationProblems,
  metaContacts,
  metaInteractive,
  metaLocation,
  type ContactCard,
  type FlowAction,
  type InteractiveMessage,
  type InteractiveProblem,
  type LocationPin,
  type RichMessage,
} from "../whatsapp/interactive.ts";
import { oneLine, previewOf } from "../whatsapp/message-content.ts";
import {
  addressOf,
  ensureConfigured,
  ensureWindowOpen,
  resolveRecipient,
  sendingNumbers,
  sendOutbound,
  type OutboundDraft,
  type Sender,
  type SendDependencies,
  type SendingNumbers,
  type SendOutcome,
  type SendTarget,
} from "./send.service.ts";

export interface ButtonInput {
  id: string;
  title: string;
}

export interface ListInput {
  button: string;
  sections: Array<{ title?: string | null; rows: Array<{ id: string; title: string; description?: string | null }> }>;
}

export interface FlowInput {
  flowId: string;
  flowCta: string;
  /** Generated (and stored) when left out: the submission carries it back. */
  flowToken?: string | null;
  /** @default "navigate" */
  mode?: FlowAction | null;
  screen?: string | null;
  data?: Record<string, unknown> | null;
}

/** Who a rich message goes to, and the message it may quote. */
interface RichTarget extends SendTarget {
  replyToWamid?: string | null;
}

/** `sendWhatsAppInteractive`'s input: a target, the text around the action, and exactly one action. */
export interface SendInteractiveInput extends RichTarget {
  header?: string | null;
  body: string;
  footer?: string | null;
  buttons?: ButtonInput[] | null;
  list?: ListInput | null;
  ctaUrl?: { displayText: string; url: string } | null;
  locationRequest?: boolean | null;
  flow?: FlowInput | null;
}

export interface SendLocationInput extends RichTarget {
  latitude: number;
  longitude: number;
  name?: string | null;
  address?: string | null;
}

export interface SendContactsInput extends RichTarget {
  contacts: Array<{ name: string; phones?: string[] | null; emails?: string[] | null; organization?: string | null }>;
}

const ACTIONS = ["buttons", "list", "ctaUrl", "locationRequest", "flow"] as const;

const blank = (text: string | null | undefined) => (text?.trim() ? text.trim() : null);

/** The input in the product's words, or the refusal naming the action fields given. */
export function interactiveOf(input: SendInteractiveInput): InteractiveMessage {
  const given = ACTIONS.filter((action) => (action === "locationRequest" ? input.locationRequest === true : input[action] != null));
  if (given.length !== 1) {
    const field = given[1] ?? "buttons";
    throw ValidationError.of(field, `Give exactly one of buttons, list, ctaUrl, locationRequest and flow${given.length > 1 ? ` (got ${given.join(" and ")})` : ""}`);
  }
  const frame = { header: blank(input.header), body: input.body ?? "", footer: blank(input.footer) };
  const action = given[0]!;
  switch (action) {
    case "buttons":
      return { kind: "buttons", ...frame, buttons: input.buttons!.map((button) => ({ id: button.id.trim(), title: button.title.trim() })) };
    case "list":
      return {
        kind: "list",
        ...frame,
        button: input.list!.button.trim(),
        sections: input.list!.sections.map((section) => ({
          title: blank(section.title),
          rows: section.rows.map((row) => ({ id: row.id.trim(), title: row.title.trim(), description: blank(row.description) })),
        })),
      };
    case "ctaUrl":
      return { kind: "ctaUrl", ...frame, displayText: input.ctaUrl!.displayText.trim(), url: input.ctaUrl!.url.trim() };
    case "locationRequest":
      if (frame.header || frame.footer) throw ValidationError.of(frame.header ? "header" : "footer", "A location request has only a message text: no header or footer");
      return { kind: "locationRequest", header: null, body: frame.body, footer: null };
    case "flow": {
      const flow = input.flow!;
      const mode = flow.mode ?? "navigate";
      return {
        kind: "flow",
        ...frame,
        flowId: flow.flowId.trim(),
        flowCta: flow.flowCta.trim(),
        flowToken: blank(flow.flowToken) ?? randomUUID(),
        action: mode,
        screen: blank(flow.screen),
        data: flow.data ?? null,
      };
    }
  }
}

function refuse(problems: InteractiveProblem[]) {
  if (problems.length > 0) throw new ValidationError(problems);
}

/** A rich message once its content passed Meta's limits: what is stored, and what Meta is sent. */
type RichDraft = Omit<OutboundDraft, "request"> & { message: RichMessage };

/**
 * The path every rich message shares after its limits are checked: the recipient on the chosen
 * number, the 24-hour window, then the ordinary outbox (pacing, retries, idempotency key).
 */
async function sendRich(deps: SendDependencies, viewer: Sender, input: RichTarget, numbers: SendingNumbers, draft: RichDraft): Promise<SendOutcome> {
  const recipient = await resolveRecipient(deps, viewer.workspaceId, input, numbers);
  await ensureConfigured(deps, recipient);
  await ensureWindowOpen(deps.db, viewer.workspaceId, recipient);
  const replyToWamid = blank(input.replyToWamid) ?? undefined;
  const { message, ...stored } = draft;
  return sendOutbound(deps, viewer, recipient, { ...stored, request: { type: "rich", to: addressOf(recipient), message, ...(replyToWamid ? { replyToWamid } : {}) } }, input.idempotencyKey);
}

/**
 * Reply buttons, a list, a URL button, a location request or a Flow: Meta's limits are checked
 * before anything is stored, then the ordinary path (window, outbox, pacing, idempotency key).
 */
export async function sendWhatsAppInteractive(deps: SendDependencies, viewer: Sender, input: SendInteractiveInput): Promise<SendOutcome> {
  const numbers = await sendingNumbers(deps, viewer.workspaceId, input.fromPhoneNumberId);
  const message = interactiveOf(input);
  refuse(interactiveProblems(message));
  return sendRich(deps, viewer, input, numbers, {
    type: "interactive",
    text: message.body,
    preview: interactivePreview(message),
    details: { interactive: JSON.stringify(message), flowToken: message.kind === "flow" ? message.flowToken : null },
    message: { type: "interactive", interactive: metaInteractive(message) },
  });
}

/** A pin on the map: latitude, longitude, and optionally the place's name and address. */
export async function sendWhatsAppLocation(deps: SendDependencies, viewer: Sender, input: SendLocationInput): Promise<SendOutcome> {
  const numbers = await sendingNumbers(deps, viewer.workspaceId, input.fromPhoneNumberId);
  const pin: LocationPin = { latitude: input.latitude, longitude: input.longitude, name: blank(input.name), address: blank(input.address) };
  refuse(locationProblems(pin));
  return sendRich(deps, viewer, input, numbers, {
    type: "location",
    text: [pin.name, pin.address].filter(Boolean).join("\n") || null,
    preview: previewOf({ kind: "location", ...pin }),
    details: { latitude: pin.latitude, longitude: pin.longitude, locationName: pin.name, locationAddress: pin.address },
    message: { type: "location", location: metaLocation(pin) },
  });
}

/** Contact cards: each a name and at least one phone number or email. */
export async function sendWhatsAppContacts(deps: SendDependencies, viewer: Sender, input: SendContactsInput): Promise<SendOutcome> {
  const numbers = await sendingNumbers(deps, viewer.workspaceId, input.fromPhoneNumberId);
  const cards: ContactCard[] = input.contacts.map((card) => ({
    name: card.name.trim(),
    phones: (card.phones ?? []).map((phone) => phone.trim()).filter(Boolean),
    emails: (card.emails ?? []).map((email) => email.trim()).filter(Boolean),
    organization: blank(card.organization),
  }));
  refuse(contactCardProblems(cards));
  return sendRich(deps, viewer, input, numbers, {
    type: "contacts",
    text: cards.map((card) => [card.name, ...card.phones, ...card.emails].join(" · ")).join("\n"),
    preview: previewOf({ kind: "contacts", names: cards.map((card) => oneLine(card.name)) }),
    details: { interactive: JSON.stringify({ kind: "contacts", contacts: cards }) },
    message: { type: "contacts", contacts: metaContacts(cards) },
  });
}
