import { z } from "zod";
import type { Database } from "../db/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { refuseDuplicate } from "../db/unique-violation.ts";
import { interactiveOf, type ButtonInput } from "../inbox/send-interactive.ts";
import { interactiveProblems, type ReplyButton } from "../whatsapp/interactive.ts";
import { parseOrRefuse } from "./validation.ts";

export interface CannedResponseInput {
  shortcut: string;
  body: string;
  /** Reply buttons: the response is then sent as an interactive message. None or null = plain text. */
  buttons?: ButtonInput[] | null;
}

/** @default 4096 — a canned response is sent as a WhatsApp text, whose limit this is. */
export const CANNED_BODY_MAX_LENGTH = 4096;
export const SHORTCUT_MAX_LENGTH = 30;

const cannedSchema = z.object({
  // Typed after "/" in the composer: one word, matched case-insensitively, so stored lower-case.
  shortcut: z
    .string()
    .trim()
    .transform((shortcut) => shortcut.replace(/^\//, "").toLowerCase())
    .pipe(
      z
        .string()
        .min(1, "Give the shortcut a name, e.g. thanks")
        .max(SHORTCUT_MAX_LENGTH, `Must be at most ${SHORTCUT_MAX_LENGTH} characters`)
        .regex(/^[\p{L}\p{N}_-]+$/u, "Use letters, digits, - and _ only (no spaces)"),
    ),
  body: z
    .string()
    .trim()
    .min(1, "Write the reply")
    .max(CANNED_BODY_MAX_LENGTH, `Must be at most ${CANNED_BODY_MAX_LENGTH} characters`),
});

/**
 * The reply ready to store: its buttons as JSON, or null for a plain reply. The buttons are
 * checked by the very function that checks a send, on the message this reply will become (so a
 * saved reply is always sendable); every refused field is reported at once, nothing is written.
 */
function parseCanned(input: CannedResponseInput, buttons: ButtonInput[]) {
  const message = buttons.length > 0 ? interactiveOf({ body: input.body.trim(), buttons }) : null;
  const problems = message ? interactiveProblems(message) : [];
  let data: z.infer<typeof cannedSchema>;
  try {
    data = parseOrRefuse(cannedSchema, input);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // One message per field: "Write the reply" already says what the buttons' check would.
    const more = problems.filter((problem) => !error.fieldErrors.some((known) => known.field === problem.field));
    throw new ValidationError([...error.fieldErrors, ...more]);
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return { ...data, buttons: message?.kind === "buttons" ? JSON.stringify(message.buttons) : null };
}

/** The stored column, read back: the buttons, or an empty list for a plain reply. */
export function cannedButtons(stored: string | null): ReplyButton[] {
  return stored ? (JSON.parse(stored) as ReplyButton[]) : [];
}

const duplicate = (shortcut: string) => `Another canned response already uses /${shortcut}`;

async function requireCannedResponse(db: Database, workspaceId: string, id: string) {
  const canned = await db.cannedResponse.findFirst({ where: { id, workspaceId } });
  if (!canned) throw new NotFoundError("Canned response");
  return canned;
}

export async function createCannedResponse(db: Database, workspaceId: string, input: CannedResponseInput) {
  const data = parseCanned(input, input.buttons ?? []);
  return refuseDuplicate(db.cannedResponse.create({ data: { ...data, workspaceId } }), "shortcut", duplicate(data.shortcut));
}

export async function updateCannedResponse(db: Database, workspaceId: string, id: string, input: CannedResponseInput) {
  const existing = await requireCannedResponse(db, workspaceId, id);
  // Left out, the buttons are kept (older clients send shortcut and body only), and checked again
  // with the new body; [] removes them.
  const data = parseCanned(input, input.buttons ?? cannedButtons(existing.buttons));
  return refuseDuplicate(db.cannedResponse.update({ where: { id }, data }), "shortcut", duplicate(data.shortcut));
}

export async function deleteCannedResponse(db: Database, workspaceId: string, id: string) {
  const canned = await requireCannedResponse(db, workspaceId, id);
  await db.cannedResponse.delete({ where: { id } });
  return canned;
}
