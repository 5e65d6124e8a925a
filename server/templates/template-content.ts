/**
 * What a template says, read from Meta's components (HEADER, BODY, FOOTER, BUTTONS): the parts a
 * preview shows and the `{{n}}` parameters a send must fill. Pure: no database, no network.
 */

/** One of Meta's template components, as stored (loosely: Meta adds kinds and fields). */
export interface StoredComponent {
  readonly type: string;
  readonly format?: string;
  readonly text?: string;
  readonly buttons?: ReadonlyArray<{ readonly type?: string; readonly text?: string; readonly url?: string; readonly phone_number?: string }>;
  readonly [key: string]: unknown;
}

export interface TemplateButton {
  /** QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE… */
  type: string;
  text: string;
  url: string | null;
  phoneNumber: string | null;
}

export interface TemplateContent {
  /** A text header's text; for media headers, the format (IMAGE, VIDEO, DOCUMENT, LOCATION). */
  headerText: string | null;
  headerFormat: string | null;
  /** The BODY's text, with `{{1}}`, `{{2}}`… placeholders. */
  body: string;
  footer: string | null;
  buttons: TemplateButton[];
  /** Distinct `{{n}}` placeholders of the body: the parameters a send gives. */
  parameterCount: number;
}

const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;

/** Components as stored in WhatsAppTemplate.components; anything unreadable counts as none. */
export function parseComponents(json: string): StoredComponent[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((item): item is StoredComponent => typeof item?.type === "string") : [];
  } catch {
    return [];
  }
}

export function templateContent(components: readonly StoredComponent[]): TemplateContent {
  const ofType = (type: string) => components.find((component) => component.type.toUpperCase() === type);
  const header = ofType("HEADER");
  const body = ofType("BODY")?.text ?? "";
  const buttons = (ofType("BUTTONS")?.buttons ?? []).map((button) => ({
    type: button.type ?? "QUICK_REPLY",
    text: button.text ?? "",
    url: button.url ?? null,
    phoneNumber: button.phone_number ?? null,
  }));
  return {
    headerText: header?.text ?? null,
    headerFormat: header?.format ?? null,
    body,
    footer: ofType("FOOTER")?.text ?? null,
    buttons,
    parameterCount: new Set(Array.from(body.matchAll(PLACEHOLDER), (match) => match[1])).size,
  };
}

/** Fills `{{n}}` with the n-th parameter: what the customer will read. */
export function renderTemplate(body: string, parameters: readonly string[]): string {
  return body.replace(PLACEHOLDER, (placeholder, index: string) => parameters[Number(index) - 1] ?? placeholder);
}
