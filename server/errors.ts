/**
 * Expected failures of domain services. Each carries its own answer: a stable `code` for
 * programs, the HTTP status REST answers with (http/error.ts, the one handler), and a sentence
 * for people. GraphQL answers the same errors as typed results (the errors plugin).
 */
export abstract class ExpectedError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
  /** Headers the REST answer needs besides its status, e.g. `connection: close`. */
  readonly httpHeaders?: Readonly<Record<string, string>>;
  /** Fields the REST answer carries beside `success: false` and `error` (its message). */
  answerFields(): Record<string, unknown> {
    return {};
  }
}

export interface FieldError {
  field: string;
  message: string;
}

/** One or more inputs were refused; nothing was changed. */
export class ValidationError extends ExpectedError {
  override name = "ValidationError";
  readonly code = "VALIDATION_FAILED";
  readonly httpStatus = 400;
  constructor(readonly fieldErrors: FieldError[]) {
    super(fieldErrors.map((error) => error.message).join("; "));
  }

  override answerFields() {
    return { fieldErrors: this.fieldErrors };
  }

  static of(field: string, message: string) {
    return new ValidationError([{ field, message }]);
  }
}

/** The record does not exist, or belongs to another workspace: both look the same to the caller. */
export class NotFoundError extends ExpectedError {
  override name = "NotFoundError";
  readonly code = "NOT_FOUND";
  readonly httpStatus = 404;
  constructor(readonly entity: string) {
    super(`${entity} not found`);
  }
}

/** The caller may see the record but not do this to it (e.g. delete another agent's note). */
export class ForbiddenError extends ExpectedError {
  override name = "ForbiddenError";
  readonly code = "FORBIDDEN";
  readonly httpStatus = 403;
}
