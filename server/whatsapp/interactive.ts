/**
 * Interactive messages (reply buttons, lists, a URL button, a location request, a Flow) and the
 * plain location and contact-card messages, in the product's words; Meta's limits on them; and
 * the `interactive` / `location` / `contacts` objects Meta's `POST /messages` takes. Speaks only
 * Meta's language: imports nothing of ours.
 *
 * Every limit below is from Meta's pages (business-messaging/whatsapp/messages, checked June 2026):
 * "Interactive reply buttons messages", "Interactive list messages", "Interactive call-to-action
 * URL button messages", "Location request messages", Flows "Sending a Flow", "Contacts messages".
 */

/** A text header (media headers are not offered). Not for location requests. */
export interface InteractiveCommon {
  header: string | null;
  body: string;
  footer: string | null;
}

export interface ReplyButton {
  id: string;
  title: string;
}

export interface ListRow {
  id: string;
  title: string;
  description: string | null;
}

export interface ListSection {
  title: string | null;
  rows: ListRow[];
}

export type FlowAction = "navigate" | "data_exchange";

/** What an agent sends, by kind. Stored as JSON with the message, and shown as sent. */
export type InteractiveMessage =
  | (InteractiveCommon & { kind: "buttons"; buttons: ReplyButton[] })
  | (InteractiveCommon & { kind: "list"; button: string; sections: ListSection[] })
  | (InteractiveCommon & { kind: "ctaUrl"; displayText: string; url: string })
  | { kind: "locationRequest"; header: null; body: string; footer: null }
  | (InteractiveCommon & {
      kind: "flow";
      flowId: string;
      flowCta: string;
      /** Ours: the customer's submission carries it back (`nfm_reply.response_json.flow_token`). */
      flowToken: string;
      action: FlowAction;
      /** The first screen (navigate only). */
      screen: string | null;
      /** The first screen's input data (navigate only). */
      data: Record<string, unknown> | null;
    });

export type InteractiveKind = InteractiveMessage["kind"];

/** A contact card as an agent sends it. */
export interface ContactCard {
  name: string;
  phones: string[];
  emails: string[];
  organization: string | null;
}

export interface LocationPin {
  latitude: number;
  longitude: number;
  name: string | null;
  address: string | null;
}

/** Reply buttons per message. @default 3 */
export const REPLY_BUTTONS_MAX = 3;
/** A reply button's title, in characters. @default 20 */
export const REPLY_BUTTON_TITLE_MAX = 20;
/** A reply button's id. @default 256 */
export const REPLY_BUTTON_ID_MAX = 256;
/** Body of reply buttons, CTA URL, location request and Flow messages. @default 1024 */
export const INTERACTIVE_BODY_MAX = 1024;
/** Body of a list message. @default 4096 */
export const LIST_BODY_MAX = 4096;
/** Header and footer text. @default 60 */
export const HEADER_MAX = 60;
/** @default 60 */
export const FOOTER_MAX = 60;
/** The button that opens a list. @default 20 */
export const LIST_BUTTON_MAX = 20;
/** Sections of a list. @default 10 */
export const LIST_SECTIONS_MAX = 10;
/** Rows of a list, all sections together. @default 10 */
export const LIST_ROWS_MAX = 10;
/** @default 24 */
export const LIST_SECTION_TITLE_MAX = 24;
/** @default 24 */
export const LIST_ROW_TITLE_MAX = 24;
/** @default 72 */
export const LIST_ROW_DESCRIPTION_MAX = 72;
/** @default 200 */
export const LIST_ROW_ID_MAX = 200;
/** A CTA URL button's label. @default 20 */
export const CTA_DISPLAY_TEXT_MAX = 20;
/** A Flow's button label ("no emoji", says Meta). @default 20 */
export const FLOW_CTA_MAX = 20;
/** Our own bound for a flow token: it is stored and matched. @default 200 */
export const FLOW_TOKEN_MAX = 200;

export interface InteractiveProblem {
  /** The input's path, e.g. `buttons.1.title`. */
  field: string;
  message: string;
}

/** Meta counts characters, not UTF-16 units. */
export const characterCount = (text: string) => [...text].length;
const EMOJI = /\p{Extended_Pictographic}/u;

/** Meta's refusals of this message, named by field; empty when Meta would take it. */
export function interactiveProblems(message: InteractiveMessage): InteractiveProblem[] {
  const problems: InteractiveProblem[] = [];
  const check = (field: string, value: string | null, max: number, label: string, required = true) => {
    if (value === null || value.trim() === "") {
      if (required) problems.push({ field, message: `${label} is required` });
      return;
    }
    const length = characterCount(value);
    if (length > max) problems.push({ field, message: `${label} must be at most ${max} characters (it has ${length})` });
  };
  const bodyMax = message.kind === "list" ? LIST_BODY_MAX : INTERACTIVE_BODY_MAX;
  check("body", message.body, bodyMax, "The message text");
  if (message.kind === "locationRequest") return problems;
  check("header", message.header, HEADER_MAX, "The header", false);
  check("footer", message.footer, FOOTER_MAX, "The footer", false);
  switch (message.kind) {
    case "buttons": {
      if (message.buttons.length < 1 || message.buttons.length > REPLY_BUTTONS_MAX) {
        problems.push({ field: "buttons", message: `Give 1 to ${REPLY_BUTTONS_MAX} buttons (there are ${message.buttons.length})` });
      }
      message.buttons.forEach((button, index) => {
        check(`buttons.${index}.title`, button.title, REPLY_BUTTON_TITLE_MAX, `Button ${index + 1}'s title`);
        check(`buttons.${index}.id`, button.id, REPLY_BUTTON_ID_MAX, `Button ${index + 1}'s id`);
      });
      duplicates(message.buttons.map((button) => button.id)).forEach((index) =>
        problems.push({ field: `buttons.${index}.id`, message: `Button ${index + 1}'s id repeats another button's: ids must be unique` }),
      );
      duplicates(message.buttons.map((button) => button.title.trim())).forEach((index) =>
        problems.push({ field: `buttons.${index}.title`, message: `Button ${index + 1}'s title repeats another button's: titles must be unique` }),
      );
      break;
    }
    case "list": {
      check("list.button", message.button, LIST_BUTTON_MAX, "The list's button text");
      const { sections } = message;
      if (sections.length < 1 || sections.length > LIST_SECTIONS_MAX) {
        problems.push({ field: "list.sections", message: `Give 1 to ${LIST_SECTIONS_MAX} sections (there are ${sections.length})` });
      }
      const rows = sections.flatMap((section) => section.rows);
      if (rows.length < 1 || rows.length > LIST_ROWS_MAX) {
        problems.push({ field: "list.sections", message: `Give 1 to ${LIST_ROWS_MAX} rows in all sections together (there are ${rows.length})` });
      }
      sections.forEach((section, s) => {
        // Meta: a section title is required when there is more than one section.
        check(`list.sections.${s}.title`, section.title, LIST_SECTION_TITLE_MAX, `Section ${s + 1}'s title`, sections.length > 1);
        if (section.rows.length === 0) problems.push({ field: `list.sections.${s}.rows`, message: `Section ${s + 1} has no rows` });
        section.rows.forEach((row, r) => {
          const path = `list.sections.${s}.rows.${r}`;
          check(`${path}.title`, row.title, LIST_ROW_TITLE_MAX, `Row ${r + 1}'s title`);
          check(`${path}.id`, row.id, LIST_ROW_ID_MAX, `Row ${r + 1}'s id`);
          check(`${path}.description`, row.description, LIST_ROW_DESCRIPTION_MAX, `Row ${r + 1}'s description`, false);
        });
      });
      const paths = sections.flatMap((section, s) => section.rows.map((_, r) => `list.sections.${s}.rows.${r}.id`));
      duplicates(rows.map((row) => row.id)).forEach((index) =>
        problems.push({ field: paths[index]!, message: `Row id ${rows[index]!.id} repeats another row's: ids must be unique` }),
      );
      break;
    }
    case "ctaUrl": {
      check("ctaUrl.displayText", message.displayText, CTA_DISPLAY_TEXT_MAX, "The button's text");
      if (!isHttpsUrl(message.url)) problems.push({ field: "ctaUrl.url", message: "The link must be a full https:// address" });
      break;
    }
    case "flow": {
      check("flow.flowId", message.flowId, 64, "The Flow's id");
      if (message.flowId.trim() && !/^\d+$/.test(message.flowId.trim())) problems.push({ field: "flow.flowId", message: "The Flow's id is a number, e.g. 1197715005513101" });
      check("flow.flowCta", message.flowCta, FLOW_CTA_MAX, "The Flow's button text");
      if (EMOJI.test(message.flowCta)) problems.push({ field: "flow.flowCta", message: "The Flow's button text cannot contain emoji" });
      check("flow.flowToken", message.flowToken, FLOW_TOKEN_MAX, "The flow token");
      if (message.action === "navigate") {
        check("flow.screen", message.screen, 200, "The first screen's id");
        if (message.data !== null && Object.keys(message.data).length === 0) {
          problems.push({ field: "flow.data", message: "The first screen's data must be a non-empty object, or left out" });
        }
      } else if (message.screen || message.data) {
        problems.push({ field: "flow.screen", message: "A data_exchange Flow takes no screen or data: your endpoint answers the first screen" });
      }
      break;
    }
  }
  return problems;
}

export function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname.includes(".");
  } catch {
    return false;
  }
}

function duplicates(values: string[]): number[] {
  const seen = new Set<string>();
  return values.flatMap((value, index) => {
    if (value === "" || !seen.has(value)) {
      seen.add(value);
      return [];
    }
    return [index];
  });
}

export function locationProblems(pin: LocationPin): InteractiveProblem[] {
  const problems: InteractiveProblem[] = [];
  if (!Number.isFinite(pin.latitude) || Math.abs(pin.latitude) > 90) problems.push({ field: "location.latitude", message: "The latitude must be between -90 and 90" });
  if (!Number.isFinite(pin.longitude) || Math.abs(pin.longitude) > 180) problems.push({ field: "location.longitude", message: "The longitude must be between -180 and 180" });
  return problems;
}

export function contactCardProblems(cards: ContactCard[]): InteractiveProblem[] {
  const problems: InteractiveProblem[] = [];
  if (cards.length === 0) problems.push({ field: "contacts", message: "Give at least one contact card" });
  cards.forEach((card, index) => {
    if (!card.name.trim()) problems.push({ field: `contacts.${index}.name`, message: `Card ${index + 1} needs a name` });
    if (card.phones.length === 0 && card.emails.length === 0) {
      problems.push({ field: `contacts.${index}.phones`, message: `Card ${index + 1} needs a phone number or an email` });
    }
  });
  return problems;
}

// ── Meta's objects ─────────────────────────────────────────────────────────────────────────────

/** Meta's `interactive` object of `POST /messages`. */
export interface InteractiveObject {
  readonly type: "button" | "list" | "cta_url" | "location_request_message" | "flow";
  readonly header?: { readonly type: "text"; readonly text: string };
  readonly body: { readonly text: string };
  readonly footer?: { readonly text: string };
  readonly action: Readonly<Record<string, unknown>>;
}

export interface LocationObject {
  readonly latitude: number;
  readonly longitude: number;
  readonly name?: string;
  readonly address?: string;
}

export interface ContactObject {
  readonly name: { readonly formatted_name: string; readonly first_name?: string; readonly last_name?: string };
  readonly phones?: ReadonlyArray<{ readonly phone: string; readonly type?: string }>;
  readonly emails?: ReadonlyArray<{ readonly email: string; readonly type?: string }>;
  readonly org?: { readonly company: string };
}

/** The message types sent with {@link metaInteractive}, {@link metaLocation} or {@link metaContacts}. */
export type RichMessage =
  | { readonly type: "interactive"; readonly interactive: InteractiveObject }
  | { readonly type: "location"; readonly location: LocationObject }
  | { readonly type: "contacts"; readonly contacts: readonly ContactObject[] };

/** The version of Flow messages Meta takes. */
export const FLOW_MESSAGE_VERSION = "3";

export function metaInteractive(message: InteractiveMessage): InteractiveObject {
  const frame = {
    ...(message.header ? { header: { type: "text" as const, text: message.header } } : {}),
    body: { text: message.body },
    ...(message.footer ? { footer: { text: message.footer } } : {}),
  };
  switch (message.kind) {
    case "buttons":
      return { type: "button", ...frame, action: { buttons: message.buttons.map(({ id, title }) => ({ type: "reply", reply: { id, title } })) } };
    case "list":
      return {
        type: "list",
        ...frame,
        action: {
          button: message.button,
          sections: message.sections.map((section) => ({
            ...(section.title ? { title: section.title } : {}),
            rows: section.rows.map(({ id, title, description }) => ({ id, title, ...(description ? { description } : {}) })),
          })),
        },
      };
    case "ctaUrl":
      return { type: "cta_url", ...frame, action: { name: "cta_url", parameters: { display_text: message.displayText, url: message.url } } };
    case "locationRequest":
      return { type: "location_request_message", body: { text: message.body }, action: { name: "send_location" } };
    case "flow":
      return {
        type: "flow",
        ...frame,
        action: {
          name: "flow",
          parameters: {
            flow_message_version: FLOW_MESSAGE_VERSION,
            flow_token: message.flowToken,
            flow_id: message.flowId,
            flow_cta: message.flowCta,
            flow_action: message.action,
            ...(message.action === "navigate" ? { flow_action_payload: { screen: message.screen, ...(message.data ? { data: message.data } : {}) } } : {}),
          },
        },
      };
  }
}

export function metaLocation(pin: LocationPin): LocationObject {
  return { latitude: pin.latitude, longitude: pin.longitude, ...(pin.name ? { name: pin.name } : {}), ...(pin.address ? { address: pin.address } : {}) };
}

export function metaContacts(cards: ContactCard[]): ContactObject[] {
  return cards.map((card) => {
    const [first, ...rest] = card.name.trim().split(/\s+/);
    return {
      name: { formatted_name: card.name.trim(), first_name: first, ...(rest.length > 0 ? { last_name: rest.join(" ") } : {}) },
      ...(card.phones.length > 0 ? { phones: card.phones.map((phone) => ({ phone, type: "CELL" })) } : {}),
      ...(card.emails.length > 0 ? { emails: card.emails.map((email) => ({ email, type: "WORK" })) } : {}),
      ...(card.organization ? { org: { company: card.organization } } : {}),
    };
  });
}

/** The conversation list's line for an interactive message an agent sent. */
export function interactivePreview(message: InteractiveMessage): string {
  const label: Record<InteractiveKind, string> = { buttons: "Buttons", list: "List", ctaUrl: "Link", locationRequest: "Location request", flow: "Form" };
  const flat = message.body.replace(/\s+/g, " ").trim();
  const cut = [...flat].length > 100 ? `${[...flat].slice(0, 99).join("")}…` : flat;
  return `[${label[message.kind]}] ${cut}`;
}

// ── Answers: Flow submissions in readable form ─────────────────────────────────────────────────

export interface FormField {
  /** As the Flow named it, e.g. `screen_0_Full_name_0`. */
  key: string;
  /** For people: "Full name". */
  label: string;
  /** For people: "Yes", "2 Jan 2026", "Small, Large". */
  value: string;
}

/** `flow_token` travels in the submission; the rest are the Flow's fields. */
export function formFields(response: Record<string, unknown>): FormField[] {
  return Object.entries(response)
    .filter(([key]) => key !== "flow_token")
    .map(([key, value]) => ({ key, label: humanise(key), value: formatValue(value) }));
}

/** `screen_0_Full_name_0` → "Full name"; `dateOfBirth` → "Date of birth"; `in_pin_code` → "PIN code". */
export function humanise(key: string): string {
  const words = key
    .replace(/^screen_\d+_/i, "")
    .replace(/_\d+$/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .split(/[_\s-]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
  const known: Record<string, string> = { in: "", pin: "PIN", id: "ID", url: "URL", email: "email" };
  const text = words
    .map((word) => (word in known ? known[word]! : word))
    .filter(Boolean)
    .join(" ");
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : key;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") {
    if (ISO_DATE.test(value)) {
      const date = new Date(`${value}T00:00:00Z`);
      if (!Number.isNaN(date.getTime())) return date.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
    }
    return value;
  }
  if (Array.isArray(value)) return value.map(formatValue).join(", ");
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${humanise(key)}: ${formatValue(inner)}`)
      .join("; ");
  }
  return String(value);
}

/** The address an address form (`address_message`) submitted, in one line, in the order people write it. */
export function addressLine(values: Record<string, unknown>): string {
  const order = ["name", "house_number", "floor_number", "tower_number", "building_name", "address", "landmark_area", "city", "state", "in_pin_code", "sg_post_code", "country"];
  const known = order.map((key) => values[key]).filter((value): value is string | number => typeof value === "string" || typeof value === "number");
  const rest = Object.entries(values)
    .filter(([key, value]) => !order.includes(key) && key !== "phone_number" && (typeof value === "string" || typeof value === "number"))
    .map(([, value]) => value);
  return [...known, ...rest].map(String).filter((part) => part.trim()).join(", ");
}
