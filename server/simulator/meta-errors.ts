/**
 * The error answers the simulated Cloud API gives, as Meta words them. Kept apart from
 * whatsapp/errors.ts on purpose: the simulator must not share the client's reading of errors,
 * only Meta's payload types, or a mistake there would go unnoticed by the tests.
 */
import type { GraphErrorBody } from "../whatsapp/errors.ts";
import type { MetaError } from "../whatsapp/webhook.ts";

interface ErrorWording {
  title: string;
  details: string;
  httpStatus: number;
}

const WORDING: Record<number, ErrorWording> = {
  100: { title: "Invalid parameter", details: "Invalid parameter", httpStatus: 400 },
  190: { title: "Invalid OAuth access token - Cannot parse access token", details: "", httpStatus: 401 },
  368: { title: "Temporarily blocked for policies violations", details: "The account is restricted", httpStatus: 403 },
  80007: { title: "Rate limit issues", details: "The WhatsApp Business Account has reached its rate limit", httpStatus: 400 },
  130429: {
    title: "Rate limit hit",
    details: "Message failed to send because there were too many messages sent from this phone number in a short period of time",
    httpStatus: 400,
  },
  131000: { title: "Something went wrong", details: "Message failed to send due to an unknown error", httpStatus: 500 },
  131008: { title: "Required parameter is missing", details: "A required parameter is missing", httpStatus: 400 },
  131009: { title: "Parameter value is not valid", details: "A parameter value is not valid", httpStatus: 400 },
  131026: {
    title: "Message Undeliverable",
    details: "Unable to deliver message. The recipient is not on WhatsApp, has not accepted the terms, or uses an old version",
    httpStatus: 400,
  },
  131047: {
    title: "Re-engagement message",
    details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    httpStatus: 400,
  },
  131049: {
    title: "This message was not delivered to maintain healthy ecosystem engagement.",
    details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    httpStatus: 400,
  },
  131050: {
    title: "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.",
    details: "The recipient stopped marketing messages",
    httpStatus: 400,
  },
  131051: { title: "Unsupported message type", details: "Message type is not currently supported", httpStatus: 400 },
  131052: { title: "Media download error", details: "Unable to download the media sent by the user", httpStatus: 400 },
  131053: { title: "Media upload error", details: "Unable to upload the media used in the message", httpStatus: 400 },
  131056: {
    title: "(Business Account, Consumer Account) pair rate limit hit",
    details: "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time",
    httpStatus: 400,
  },
  132000: {
    title: "Number of parameters does not match the expected number of params",
    details: "The number of parameters does not match the number of variables in the template",
    httpStatus: 400,
  },
  132001: { title: "Template name does not exist in the translation", details: "The template does not exist", httpStatus: 404 },
  133010: { title: "Phone number Not Registered", details: "The phone number is not registered on WhatsApp Business Platform", httpStatus: 400 },
};

export interface GraphErrorAnswer {
  httpStatus: number;
  body: GraphErrorBody;
}

export interface ErrorOverrides {
  details?: string;
  /** The whole `message`, for the Graph errors that carry no `(#code) ` prefix. */
  message?: string;
  type?: string;
  httpStatus?: number;
}

/** Meta's synchronous error answer for a code: `{error:{message:"(#code) title", type, code, error_data, fbtrace_id}}`. */
export function graphError(code: number, overrides: ErrorOverrides = {}): GraphErrorAnswer {
  const wording = WORDING[code] ?? { title: `Error ${code}`, details: `Simulated error ${code}`, httpStatus: 400 };
  const details = overrides.details ?? wording.details;
  return {
    httpStatus: overrides.httpStatus ?? wording.httpStatus,
    body: {
      error: {
        message: overrides.message ?? `(#${code}) ${wording.title}`,
        type: overrides.type ?? "OAuthException",
        code,
        ...(details ? { error_data: { messaging_product: "whatsapp" as const, details } } : {}),
        fbtrace_id: fbtraceId(),
      },
    },
  };
}

/** The token is missing or wrong: Meta answers 401 with a 190 OAuthException without `(#190)`. */
export function invalidTokenError(): GraphErrorAnswer {
  return graphError(190, { message: WORDING[190].title, details: "" });
}

/** An object id (phone number, WABA, media) that does not exist, or a route that is not one. */
export function unknownObjectError(method: string, id: string): GraphErrorAnswer {
  return graphError(100, {
    message:
      `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to ` +
      "missing permissions, or does not support this operation. Please read the Graph API documentation at " +
      "https://developers.facebook.com/docs/graph-api",
    type: "GraphMethodException",
    details: "",
  });
}

/** A body Meta would refuse: `(#100) <what is wrong>`. */
export function invalidParameterError(details: string): GraphErrorAnswer {
  return graphError(100, { message: `(#100) ${details}`, details });
}

/** The same error as a webhook carries it, in `statuses[].errors` or `value.errors`. */
export function webhookError(code: number): MetaError {
  const wording = WORDING[code] ?? { title: `Error ${code}`, details: `Simulated error ${code}` };
  return {
    code,
    title: wording.title,
    message: wording.title,
    error_data: { details: wording.details },
    href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
  };
}

function fbtraceId(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  return Array.from({ length: 23 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
}
