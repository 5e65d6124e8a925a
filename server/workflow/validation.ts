import type { z } from "zod";
import { Prisma } from "../generated/prisma/client.ts";
import { ValidationError } from "../errors.ts";

/** Parses with zod; every refused field is reported at once, nothing is written. */
export function parseOrRefuse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ValidationError(parsed.error.issues.map((issue) => ({ field: String(issue.path[0]), message: issue.message })));
}

/** The database's unique index is the source of truth; this turns its refusal into a field error. */
export async function refuseDuplicate<T>(write: Promise<T>, field: string, message: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw ValidationError.of(field, message);
    throw error;
  }
}
