import { DriverAdapterError } from "@prisma/driver-adapter-utils";
import { ValidationError } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";

/**
 * Another write stored the same unique value first: Prisma's P2002 from a client query, or the
 * driver adapter's own error from a raw driver transaction (PostgreSQL: two instances at once).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return error.code === "P2002";
  return error instanceof DriverAdapterError && error.cause.kind === "UniqueConstraintViolation";
}

/** The database's unique index is the source of truth; this turns its refusal into a field error. */
export async function refuseDuplicate<T>(write: Promise<T>, field: string, message: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw ValidationError.of(field, message);
    throw error;
  }
}
