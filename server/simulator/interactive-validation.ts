/**
 * The checks Meta makes on an `interactive` object, written from Meta's pages apart from the
 * product's own (whatsapp/interactive.ts) on purpose: a mistake in one is caught by the other.
 * Meta refuses a broken limit with `(#131009) Parameter value is not valid` and names the limit in
 * `error_data.details`; a missing part with `(#131008) Required parameter is missing`.
 */
import { graphError, type GraphErrorAnswer } from "./meta-errors.ts";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const characters = (text: string) => [...text].length;

const invalid = (details: string): GraphErrorAnswer => graphError(131009, { details });
const missing = (details: string): GraphErrorAnswer => graphError(131008, { details });

function text(value: unknown, max: number, what: string, required: boolean): GraphErrorAnswer | null {
  if (value === undefined || value === null || value === "") return required ? missing(`The parameter ${what} is required.`) : null;
  if (typeof value !== "string") return invalid(`${what} must be a string.`);
  if (characters(value) > max) return invalid(`${what} is too long. Max length is ${max}.`);
  return null;
}

function frame(content: Json, bodyMax: number, headerAllowed: boolean): GraphErrorAnswer | null {
  if (!isObject(content.body)) return missing("The parameter interactive['body'] is required.");
  const body = text(content.body.text, bodyMax, "interactive['body']['text']", true);
  if (body) return body;
  if (content.header !== undefined) {
    if (!headerAllowed) return invalid("interactive['header'] is not allowed for this message type.");
    if (!isObject(content.header)) return invalid("interactive['header'] must be an object.");
    if (content.header.type === "text") {
      const header = text(content.header.text, 60, "interactive['header']['text']", true);
      if (header) return header;
    }
  }
  if (content.footer !== undefined) {
    if (!headerAllowed) return invalid("interactive['footer'] is not allowed for this message type.");
    if (!isObject(content.footer)) return invalid("interactive['footer'] must be an object.");
    const footer = text(content.footer.text, 60, "interactive['footer']['text']", true);
    if (footer) return footer;
  }
  return null;
}

function firstRepeat(values: unknown[]): unknown {
  const seen = new Set<unknown>();
  for (const value of values) {
    if (seen.has(value)) return value;
    seen.add(value);
  }
  return undefined;
}

/** null when Meta would take the interactive object; else Meta's refusal. */
export function interactiveError(content: Json): GraphErrorAnswer | null {
  const action = isObject(content.action) ? content.action : null;
  if (!action) return missing("The parameter interactive['action'] is required.");
  switch (content.type) {
    case "button": {
      const problem = frame(content, 1024, true);
      if (problem) return problem;
      const buttons = Array.isArray(action.buttons) ? action.buttons : [];
      if (buttons.length < 1 || buttons.length > 3) return invalid("Number of buttons must be between 1 and 3.");
      for (const [index, button] of buttons.entries()) {
        const reply = isObject(button) && isObject(button.reply) ? button.reply : null;
        if (!reply || button.type !== "reply") return invalid(`Button at index ${index} must be of type reply.`);
        const title = text(reply.title, 20, `Button title at index ${index}`, true);
        if (title) return title;
        const id = text(reply.id, 256, `Button id at index ${index}`, true);
        if (id) return id;
      }
      const replies = buttons.map((button) => (button as { reply: Json }).reply);
      if (firstRepeat(replies.map((reply) => reply.id)) !== undefined) return invalid("Button ids must be unique.");
      if (firstRepeat(replies.map((reply) => reply.title)) !== undefined) return invalid("Button titles must be unique.");
      return null;
    }
    case "list": {
      const problem = frame(content, 4096, true) ?? text(action.button, 20, "interactive['action']['button']", true);
      if (problem) return problem;
      const sections = Array.isArray(action.sections) ? action.sections.filter(isObject) : [];
      if (sections.length < 1 || sections.length > 10) return invalid("Number of sections must be between 1 and 10.");
      const rows = sections.flatMap((section) => (Array.isArray(section.rows) ? section.rows : []));
      if (rows.length < 1 || rows.length > 10) return invalid("Total row count exceed max allowed count: 10");
      for (const [index, section] of sections.entries()) {
        const title = text(section.title, 24, `Section title at index ${index}`, sections.length > 1);
        if (title) return title;
      }
      for (const [index, row] of rows.entries()) {
        if (!isObject(row)) return invalid(`Row at index ${index} must be an object.`);
        const problem = text(row.title, 24, `Row title at index ${index}`, true) ?? text(row.id, 200, `Row id at index ${index}`, true) ?? text(row.description, 72, `Row description at index ${index}`, false);
        if (problem) return problem;
      }
      if (firstRepeat(rows.map((row) => (row as Json).id)) !== undefined) return invalid("Row ids must be unique.");
      return null;
    }
    case "cta_url": {
      const problem = frame(content, 1024, true);
      if (problem) return problem;
      if (action.name !== "cta_url" || !isObject(action.parameters)) return missing("The parameter interactive['action']['parameters'] is required.");
      const label = text(action.parameters.display_text, 20, "interactive['action']['parameters']['display_text']", true);
      if (label) return label;
      const url = action.parameters.url;
      if (typeof url !== "string" || !/^https?:\/\/\S+\.\S+/i.test(url)) return invalid("interactive['action']['parameters']['url'] must be a valid URL.");
      return null;
    }
    case "location_request_message":
      if (action.name !== "send_location") return invalid("interactive['action']['name'] must be send_location.");
      return frame(content, 1024, false);
    case "flow": {
      const problem = frame(content, 1024, true);
      if (problem) return problem;
      const parameters = action.name === "flow" && isObject(action.parameters) ? action.parameters : null;
      if (!parameters) return missing("The parameter interactive['action']['parameters'] is required.");
      if (parameters.flow_message_version !== "3") return invalid("flow_message_version must be 3.");
      if (typeof parameters.flow_id !== "string" && typeof parameters.flow_name !== "string") return missing("The parameter flow_id or flow_name is required.");
      const cta = text(parameters.flow_cta, 20, "flow_cta", true);
      if (cta) return cta;
      if (parameters.flow_action === "data_exchange" && parameters.flow_action_payload !== undefined) return invalid("flow_action_payload is not allowed with data_exchange.");
      if (parameters.flow_action !== "data_exchange") {
        const payload = isObject(parameters.flow_action_payload) ? parameters.flow_action_payload : null;
        if (!payload || typeof payload.screen !== "string" || payload.screen === "") return missing("The parameter flow_action_payload['screen'] is required.");
        if (payload.data !== undefined && (!isObject(payload.data) || Object.keys(payload.data).length === 0)) return invalid("flow_action_payload['data'] must be a non-empty object.");
      }
      return null;
    }
    default:
      return null;
  }
}
