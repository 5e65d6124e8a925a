/** A piece of a template's body: plain text, or a `{{n}}` placeholder with its value if given. */
export type TemplateSegment = { text: string } | { placeholder: number; value: string | null };

/** The body split at its `{{n}}` placeholders, each carrying the n-th parameter (1-based) when filled. */
export function templateSegments(body: string, parameters: readonly string[]): TemplateSegment[] {
  return body
    .split(/(\{\{\s*\d+\s*\}\})/)
    .filter((part) => part !== "")
    .map((part) => {
      const placeholder = /^\{\{\s*(\d+)\s*\}\}$/.exec(part);
      if (!placeholder) return { text: part };
      const number = Number(placeholder[1]);
      const value = parameters[number - 1]?.trim();
      return { placeholder: number, value: value || null };
    });
}

/** What the customer will read: placeholders filled, unfilled ones left as `{{n}}`. */
export function fillTemplate(body: string, parameters: readonly string[]): string {
  return templateSegments(body, parameters)
    .map((segment) => ("text" in segment ? segment.text : (segment.value ?? `{{${segment.placeholder}}}`)))
    .join("");
}
