/** Why a send was refused or failed: each a typed answer on GraphQL and an HTTP status on REST. */
import { ExpectedError } from "../errors.ts";

export class InvalidPhoneNumberError extends ExpectedError {
  override name = "InvalidPhoneNumberError";
  readonly code = "INVALID_PHONE_NUMBER";
  readonly httpStatus = 400;
  constructor(readonly reason = "Invalid phone number") {
    super("Invalid phone number");
  }

  override answerFields() {
    return { reason: this.reason };
  }
}

/** Free-form messages need an open 24-hour window; a template is allowed at any time. */
export class WindowClosedError extends ExpectedError {
  override name = "WindowClosedError";
  readonly code = "WINDOW_CLOSED";
  readonly httpStatus = 422;
  constructor(readonly closedAt: Date | null) {
    super(
      closedAt
        ? "The 24-hour customer-service window is closed: send an approved template instead"
        : "The customer has not written yet: the first message must be an approved template",
    );
  }

  override answerFields() {
    return { code: this.code };
  }
}

/** Meta refused the message for good (or every retry failed); it is stored as FAILED. */
export class SendFailedError extends ExpectedError {
  override name = "SendFailedError";
  readonly code = "SEND_FAILED";
  readonly httpStatus = 502;
  constructor(
    /** Meta's error code, e.g. 131026. */
    readonly metaCode: number | null,
    readonly title: string,
    readonly details: string | null,
    readonly messageId: string,
  ) {
    super("Failed to send message");
  }

  /** REST's `code` has always been Meta's: integrators branch on it. */
  override answerFields() {
    return { code: this.metaCode, title: this.title, details: this.details, id: this.messageId };
  }
}
