import type { z } from "zod";
import { ValidationError } from "../errors.ts";

/** Parses with zod; every refused field is reported at once, nothing is written. */
export function parseOrRefuse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ValidationError(parsed.error.issues.map((issue) => ({ field: String(issue.path[0]), message: issue.message })));
}
