import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WhatsAppNotConfiguredError } from "../whatsapp-numbers/number-directory.ts";
import { ExpectedError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { InvalidPhoneNumberError, SendFailedError, WindowClosedError } from "../inbox/send-errors.ts";
import { MediaRefusedError, MediaUploadFailedError } from "../media/media-upload.service.ts";
import { registerErrorAnswers } from "./error.ts";

/** Every expected error a REST route may throw, and the answer integrators rely on. */
const ANSWERS: { error: ExpectedError; status: number; body: Record<string, unknown>; connection?: string }[] = [
  {
    error: ValidationError.of("to", "to must be on or after from"),
    status: 400,
    body: { success: false, error: "to must be on or after from", fieldErrors: [{ field: "to", message: "to must be on or after from" }] },
  },
  { error: new NotFoundError("Contact"), status: 404, body: { success: false, error: "Contact not found" } },
  { error: new ForbiddenError("Only the author may delete a note"), status: 403, body: { success: false, error: "Only the author may delete a note" } },
  {
    error: new WhatsAppNotConfiguredError(["WHATSAPP_TOKEN"], "WhatsApp is not configured"),
    status: 503,
    body: { success: false, error: "WhatsApp is not configured", missing: ["WHATSAPP_TOKEN"] },
  },
  {
    error: new InvalidPhoneNumberError("The contact has no WhatsApp number"),
    status: 400,
    body: { success: false, error: "Invalid phone number", reason: "The contact has no WhatsApp number" },
  },
  {
    error: new WindowClosedError(new Date("2026-12-01T10:00:00Z")),
    status: 422,
    body: { success: false, error: "The 24-hour customer-service window is closed: send an approved template instead", code: "WINDOW_CLOSED" },
  },
  {
    error: new SendFailedError(131026, "Message undeliverable", null, "message-1"),
    status: 502,
    body: { success: false, error: "Failed to send message", code: 131026, title: "Message undeliverable", details: null, id: "message-1" },
  },
  { error: new MediaRefusedError(415, "WhatsApp does not take application/zip"), status: 415, body: { success: false, error: "WhatsApp does not take application/zip" }, connection: "close" },
  {
    error: new MediaUploadFailedError(131053, "Media upload error"),
    status: 502,
    body: { success: false, error: "WhatsApp did not take the file: Media upload error", code: 131053 },
  },
];

let app: FastifyInstance;
let url: string;
beforeAll(async () => {
  app = Fastify();
  registerErrorAnswers(app);
  app.get<{ Params: { index: string } }>("/fail/:index", async (request) => {
    throw ANSWERS[Number(request.params.index)]!.error;
  });
  url = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(() => app.close());

describe("expected errors answer REST callers through the one error handler", () => {
  it.each(ANSWERS.map((answer, index) => [answer.error.name, index] as const))("answers %s with its status and body", async (_name, index) => {
    const expected = ANSWERS[index]!;
    const response = await fetch(`${url}/fail/${index}`);
    expect(response.status).toBe(expected.status);
    expect(await response.json()).toEqual(expected.body);
    if (expected.connection) expect(response.headers.get("connection")).toBe(expected.connection);
  });

  it("gives every kind of expected error its own stable code", () => {
    const codes = ANSWERS.map(({ error }) => error.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[A-Z][A-Z_]+$/);
  });
});
