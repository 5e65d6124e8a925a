/**
 * Meta's Cloud API error codes in one table — each with what it means and whether sending
 * again later can succeed — and the typed errors the Cloud API client throws.
 * Speaks only Meta's language: imports nothing of ours.
 */

/** Meta's error body, sent with any non-200 answer of the Graph API. */
export interface GraphErrorBody {
  readonly error: {
    /** `"(#131047) Re-engagement message"`; some Graph errors (e.g. 190) carry no `(#code)` prefix. */
    readonly message: string;
    readonly type?: string;
    readonly code: number;
    /** Deprecated by Meta since v16; still sent for some Graph errors. */
    readonly error_subcode?: number;
    readonly error_data?: { readonly messaging_product?: "whatsapp"; readonly details?: string };
    readonly fbtrace_id?: string;
  };
}

/** `retryable`: the same request may succeed later (with backoff). `final`: it never will as is. */
export type Retry = "retryable" | "final";

export interface MetaErrorInfo {
  readonly code: number;
  /** What happened, in words an agent understands. */
  readonly meaning: string;
  readonly retry: Retry;
}

/**
 * The codes the product handles, by name. Build handling on `code` (Meta deprecates titles);
 * a code not listed here is classified by its HTTP status (see {@link isRetryable}).
 */
export const META_ERRORS = {
  THROUGHPUT_REACHED: { code: 130429, meaning: "Sending too fast for this business number (throughput limit)", retry: "retryable" },
  PAIR_RATE_LIMIT: { code: 131056, meaning: "Too many messages to this customer in a short time", retry: "retryable" },
  WABA_RATE_LIMIT: { code: 80007, meaning: "The WhatsApp Business Account reached its rate limit", retry: "retryable" },
  APP_RATE_LIMIT: { code: 4, meaning: "The app reached its Graph API call limit", retry: "retryable" },
  API_SERVICE: { code: 2, meaning: "WhatsApp is temporarily unavailable", retry: "retryable" },
  UNKNOWN: { code: 131000, meaning: "WhatsApp failed for an unknown reason", retry: "retryable" },
  SERVICE_UNAVAILABLE: { code: 131016, meaning: "WhatsApp is temporarily unavailable", retry: "retryable" },
  MAINTENANCE_MODE: { code: 131057, meaning: "The business account is in maintenance mode", retry: "retryable" },
  SERVER_UNAVAILABLE: { code: 133004, meaning: "WhatsApp's server is temporarily unavailable", retry: "retryable" },
  RE_ENGAGEMENT: {
    code: 131047,
    meaning: "More than 24 hours since the customer last wrote: only a template can be sent",
    retry: "final",
  },
  UNDELIVERABLE: {
    code: 131026,
    meaning: "Undeliverable: the number is not on WhatsApp, or its app is too old or has not accepted the terms",
    retry: "final",
  },
  ECOSYSTEM_HEALTH: { code: 131049, meaning: "Meta held the message back to protect customer engagement", retry: "final" },
  MARKETING_OPT_OUT: { code: 131050, meaning: "The customer stopped marketing messages from this business", retry: "final" },
  UNSUPPORTED_TYPE: { code: 131051, meaning: "This message type is not supported", retry: "final" },
  MEDIA_DOWNLOAD_FAILED: { code: 131052, meaning: "The customer's media could not be downloaded", retry: "final" },
  MEDIA_UPLOAD_FAILED: { code: 131053, meaning: "The media to send could not be uploaded or fetched", retry: "final" },
  SPAM_RATE_LIMIT: { code: 131048, meaning: "Sending restricted: too many earlier messages were blocked or flagged", retry: "final" },
  RECIPIENT_IS_SENDER: { code: 131021, meaning: "The recipient is the business number itself", retry: "final" },
  PARAMETER_MISSING: { code: 131008, meaning: "A required parameter is missing", retry: "final" },
  PARAMETER_INVALID: { code: 131009, meaning: "A parameter value is not valid", retry: "final" },
  INVALID_PARAMETER: { code: 100, meaning: "Invalid parameter in the request", retry: "final" },
  PERMISSION_DENIED: { code: 10, meaning: "The app lacks a permission for this request", retry: "final" },
  ACCESS_TOKEN_INVALID: { code: 190, meaning: "The WhatsApp access token expired or is invalid", retry: "final" },
  POLICY_BLOCKED: { code: 368, meaning: "The business account is temporarily blocked for policy violations", retry: "final" },
  ACCESS_DENIED: { code: 131005, meaning: "Access denied for this request", retry: "final" },
  ACCOUNT_LOCKED: { code: 131031, meaning: "The business account is locked", retry: "final" },
  PAYMENT_ISSUE: { code: 131042, meaning: "A payment problem on the business account", retry: "final" },
  TEMPLATE_PARAM_COUNT: {
    code: 132000,
    meaning: "The number of template parameters does not match the template",
    retry: "final",
  },
  TEMPLATE_NOT_FOUND: { code: 132001, meaning: "The template does not exist in this language (or is not approved)", retry: "final" },
  TEMPLATE_TEXT_TOO_LONG: { code: 132005, meaning: "The template's text is too long once filled in", retry: "final" },
  TEMPLATE_POLICY: { code: 132007, meaning: "The template's content violates a WhatsApp policy", retry: "final" },
  TEMPLATE_PARAM_FORMAT: { code: 132012, meaning: "A template parameter has the wrong format", retry: "final" },
  TEMPLATE_PAUSED: { code: 132015, meaning: "The template is paused for low quality", retry: "final" },
  TEMPLATE_DISABLED: { code: 132016, meaning: "The template is disabled for low quality", retry: "final" },
  NUMBER_NOT_REGISTERED: { code: 133010, meaning: "The business phone number is not registered with the Cloud API", retry: "final" },
} as const satisfies Record<string, MetaErrorInfo>;

export type MetaErrorName = keyof typeof META_ERRORS;

const BY_CODE: ReadonlyMap<number, MetaErrorInfo & { name: MetaErrorName }> = new Map(
  (Object.keys(META_ERRORS) as MetaErrorName[]).map((name) => [META_ERRORS[name].code, { name, ...META_ERRORS[name] }]),
);

/** The table's entry for a Meta error code, or undefined when the product does not know it. */
export function metaErrorInfo(code: number): (MetaErrorInfo & { name: MetaErrorName }) | undefined {
  return BY_CODE.get(code);
}

/**
 * Whether sending again later can succeed: the table decides for a known code; otherwise a
 * 5xx or 429 answer (or no answer at all) is retryable and anything else is final.
 */
export function isRetryable(code: number | null, httpStatus: number | null): boolean {
  const known = code === null ? undefined : BY_CODE.get(code);
  if (known) return known.retry === "retryable";
  return httpStatus === null || httpStatus >= 500 || httpStatus === 429;
}

export type CloudApiErrorKind = "meta" | "network" | "timeout";

export interface CloudApiErrorFields {
  /** Meta's error code; null when Meta sent none (network failure, timeout, non-JSON answer). */
  code: number | null;
  title: string;
  details: string | null;
  fbtraceId: string | null;
  /** The HTTP status Meta answered with; null when no answer came. */
  httpStatus: number | null;
  kind: CloudApiErrorKind;
  retryable: boolean;
}

/**
 * A request to the Cloud API failed: Meta refused it (`meta`), it never reached Meta (`network`),
 * or Meta did not answer in time (`timeout`; the message may have been sent all the same).
 * The message never contains the access token.
 */
export class CloudApiError extends Error implements CloudApiErrorFields {
  override name = "CloudApiError";
  readonly code: number | null;
  readonly title: string;
  readonly details: string | null;
  readonly fbtraceId: string | null;
  readonly httpStatus: number | null;
  readonly kind: CloudApiErrorKind;
  readonly retryable: boolean;

  constructor(fields: CloudApiErrorFields, options?: { cause?: unknown }) {
    const code = fields.code === null ? "" : ` ${fields.code}`;
    super(`WhatsApp Cloud API ${fields.kind} error${code}: ${fields.title}${fields.details ? ` (${fields.details})` : ""}`, options);
    this.code = fields.code;
    this.title = fields.title;
    this.details = fields.details;
    this.fbtraceId = fields.fbtraceId;
    this.httpStatus = fields.httpStatus;
    this.kind = fields.kind;
    this.retryable = fields.retryable;
  }
}

/**
 * The request was refused before anything was sent, because Meta would refuse it too
 * (a `to` that is not a wa_id, a text over 4096 characters…). Never retryable: fix the input.
 */
export class CloudApiValidationError extends Error {
  override name = "CloudApiValidationError";
  readonly retryable = false;
  constructor(
    /** The offending argument, e.g. `to`, `body`, `media`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const CODE_PREFIX = /^\(#\d+\)\s*/;

/**
 * Builds the error for a non-200 answer from Meta's error body, whatever came back: Meta's JSON
 * (`{error:{message:"(#code) title", type, code, error_data:{details}, fbtrace_id}}`), other JSON,
 * or no JSON at all (a proxy's HTML 502 page). `body` is the parsed JSON, or undefined.
 */
export function cloudApiErrorFromResponse(httpStatus: number, body: unknown): CloudApiError {
  const error = graphError(body);
  if (!error) {
    return new CloudApiError({
      code: null,
      title: `HTTP ${httpStatus} without a Graph API error body`,
      details: null,
      fbtraceId: null,
      httpStatus,
      kind: "meta",
      retryable: isRetryable(null, httpStatus),
    });
  }
  return new CloudApiError({
    code: error.code,
    title: error.message.replace(CODE_PREFIX, "") || `Error ${error.code}`,
    details: typeof error.error_data?.details === "string" ? error.error_data.details : null,
    fbtraceId: typeof error.fbtrace_id === "string" ? error.fbtrace_id : null,
    httpStatus,
    kind: "meta",
    retryable: isRetryable(error.code, httpStatus),
  });
}

function graphError(body: unknown): GraphErrorBody["error"] | null {
  if (typeof body !== "object" || body === null || !("error" in body)) return null;
  const error: unknown = body.error;
  if (typeof error !== "object" || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== "number" || !Number.isInteger(code)) return null;
  return { ...(error as GraphErrorBody["error"]), message: typeof message === "string" ? message : "" };
}

/** The request never got an answer: connection refused, reset, DNS failure… */
export function networkError(cause: unknown): CloudApiError {
  return new CloudApiError(
    { code: null, title: "Could not reach the Cloud API", details: null, fbtraceId: null, httpStatus: null, kind: "network", retryable: true },
    { cause },
  );
}

/** No answer within the client's timeout. Meta may still have accepted the message. */
export function timeoutError(timeoutMs: number): CloudApiError {
  return new CloudApiError({
    code: null,
    title: `No answer from the Cloud API within ${timeoutMs} ms`,
    details: null,
    fbtraceId: null,
    httpStatus: null,
    kind: "timeout",
    retryable: true,
  });
}
