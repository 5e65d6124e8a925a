/** Why a send was refused or failed: each a typed answer on GraphQL and an HTTP status on REST. */

export class InvalidPhoneNumberError extends Error {
  override name = "InvalidPhoneNumberError";
  constructor(readonly reason = "Invalid phone number") {
    super("Invalid phone number");
  }
}

/** Free-form messages need an open 24-hour window; a template is allowed at any time. */
export class WindowClosedError extends Error {
  override name = "WindowClosedError";
  constructor(readonly closedAt: Date | null) {
    super(
      closedAt
        ? "The 24-hour customer-service window is closed: send an approved template instead"
        : "The customer has not written yet: the first message must be an approved template",
    );
  }
}

/** Meta refused the message for good (or every retry failed); it is stored as FAILED. */
export class SendFailedError extends Error {
  override name = "SendFailedError";
  constructor(
    readonly code: number | null,
    readonly title: string,
    readonly details: string | null,
    readonly messageId: string,
  ) {
    super("Failed to send message");
  }
}
