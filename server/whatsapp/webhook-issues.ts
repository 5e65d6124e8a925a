import type { z } from "zod";

type Issue = z.ZodError["issues"][number];
type Key = PropertyKey;

/**
 * Where something sits in a payload, written as Meta's documentation and error messages write it:
 * `entry[0].changes[1].value.messages[0]`. `base` is the place `path` is relative to.
 */
export function metaPath(path: readonly Key[], base = ""): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), base);
}

/**
 * Why a payload (or one item in it, found at `base`) does not have Meta's documented shape, in
 * Meta's terms — "entry[0].changes[1].value.messages[0] has no id" — rather than the validator's.
 * Read by whoever answers a 400 to Meta's delivery or looks at the unrouted log.
 */
export function describeIssues(error: z.ZodError, input: unknown, base = ""): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => describeIssue(issue, input, base))
    .join("; ");
}

function describeIssue(issue: Issue, input: unknown, base: string): string {
  const where = metaPath(issue.path, base) || "the body";
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case "invalid_type": {
      const key = issue.path.at(-1);
      const parentPath = issue.path.slice(0, -1);
      const parent = valueAt(input, parentPath);
      if (key !== undefined && isObject(parent) && !Object.hasOwn(parent, key)) {
        return `${metaPath(parentPath, base) || "the body"} has no ${typeof key === "number" ? `item ${key}` : String(key)}`;
      }
      return `${where} should be ${kindName(issue.expected)}, not ${kindOf(value)}`;
    }
    case "invalid_value":
      return `${where} should be ${issue.values.map((allowed) => JSON.stringify(allowed)).join(" or ")}, not ${shortly(value)}`;
    case "too_small":
      return isEmpty(value) ? `${where} is empty` : `${where} is shorter than ${String(issue.minimum)}`;
    case "too_big":
      return `${where} is longer than ${String(issue.maximum)}`;
    case "invalid_format":
      return `${where} is not in Meta's format (${shortly(value)})`;
    case "invalid_union":
      return `${where} matches none of the forms Meta documents`;
    default:
      return `${where}: ${issue.message}`;
  }
}

function valueAt(input: unknown, path: readonly Key[]): unknown {
  let value = input;
  for (const key of path) {
    if (!isObject(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<Key, unknown>)[key];
  }
  return value;
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function isEmpty(value: unknown) {
  return value === "" || (Array.isArray(value) && value.length === 0);
}

const KIND_NAMES: Record<string, string> = { object: "an object", array: "a list", string: "text", number: "a number", boolean: "true or false", null: "null" };

function kindName(kind: string) {
  return KIND_NAMES[kind] ?? kind;
}

function kindOf(value: unknown) {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return kindName(typeof value);
}

/** A value named in an answer without echoing a whole (possibly large or private) object. */
function shortly(value: unknown) {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return kindOf(value);
}
