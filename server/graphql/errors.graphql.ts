import { ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "./builder.ts";

/** Every expected failure answers with a message a person can read. */
export const ErrorInterface = builder.interfaceRef<Error>("Error").implement({
  fields: (t) => ({ message: t.exposeString("message") }),
});

const FieldErrorType = builder.objectRef<{ field: string; message: string }>("FieldError").implement({
  description: "A refused input: `field` is the input's name, `message` says why.",
  fields: (t) => ({ field: t.exposeString("field"), message: t.exposeString("message") }),
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ fieldErrors: t.field({ type: [FieldErrorType], resolve: (error) => error.fieldErrors }) }),
});

builder.objectType(NotFoundError, {
  name: "NotFoundError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ entity: t.exposeString("entity") }),
});

builder.objectType(ForbiddenError, {
  name: "ForbiddenError",
  description: "The record exists, but the caller's role does not allow this.",
  interfaces: [ErrorInterface],
  fields: () => ({}),
});
