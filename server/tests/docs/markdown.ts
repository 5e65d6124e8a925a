// Just enough Markdown for the documentation test: fenced blocks, headings and their GitHub
// anchors, and links. The documents are ours and plain, so a line scanner is enough.

export interface CodeBlock {
  file: string;
  /** The fence's language: `bash`, `graphql`, `js`, `json`… */
  language: string;
  code: string;
  /** The heading the block sits under: examples are reported by file and section. */
  section: string;
  line: number;
}

export interface Link {
  file: string;
  target: string;
  line: number;
}

const FENCE = /^\s*(`{3,})\s*([\w-]*)/;

/** Code blocks (fences may be indented, as inside a list item) and the lines outside them. */
function scan(file: string, text: string) {
  const blocks: CodeBlock[] = [];
  const prose: Array<{ text: string; line: number }> = [];
  const lines = text.split("\n");
  let section = "";
  for (let index = 0; index < lines.length; index++) {
    const fence = FENCE.exec(lines[index]);
    if (!fence) {
      prose.push({ text: lines[index], line: index + 1 });
      const heading = /^#{1,6}\s+(.*)$/.exec(lines[index]);
      if (heading) section = heading[1].trim();
      continue;
    }
    const indent = lines[index].indexOf("`");
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !lines[end].trim().startsWith(fence[1])) body.push(lines[end++].slice(indent));
    blocks.push({ file, language: fence[2], code: body.join("\n"), section, line: index + 1 });
    index = end;
  }
  return { blocks, prose };
}

export function codeBlocks(file: string, text: string): CodeBlock[] {
  return scan(file, text).blocks;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .replace(/`/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/\s/g, "-");
}

/** The anchors a file's headings get, with GitHub's -1, -2… for repeated headings. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const { text: line } of scan("", text).prose) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const anchor = headingAnchor(heading[1].trim());
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    result.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return result;
}

/** Inline links outside code: `[text](target)`. */
export function links(file: string, text: string): Link[] {
  return scan(file, text).prose.flatMap(({ text: line, line: number }) =>
    [...line.replace(/`[^`]*`/g, "``").matchAll(/\]\(([^)\s]+)\)/g)].map((match) => ({ file, target: match[1], line: number })),
  );
}
