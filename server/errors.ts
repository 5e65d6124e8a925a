/** Expected failures of domain services: transports turn them into typed answers. */

export interface FieldError {
  field: string;
  message: string;
}

/** One or more inputs were refused; nothing was changed. */
export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(readonly fieldErrors: FieldError[]) {
    super(fieldErrors.map((error) => error.message).join("; "));
  }

  static of(field: string, message: string) {
    return new ValidationError([{ field, message }]);
  }
}

/** The record does not exist, or belongs to another workspace: both look the same to the caller. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
  constructor(readonly entity: string) {
    super(`${entity} not found`);
  }
}

/** The caller may see the record but not do this to it (e.g. delete another agent's note). */
export class ForbiddenError extends Error {
  override name = "ForbiddenError";
}
