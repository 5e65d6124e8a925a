import { z } from "zod";
import type { Database } from "../db/client.ts";
import { NotFoundError } from "../errors.ts";
import { refuseDuplicate } from "../db/unique-violation.ts";
import { parseOrRefuse } from "./validation.ts";

export interface CannedResponseInput {
  shortcut: string;
  body: string;
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

const duplicate = (shortcut: string) => `Another canned response already uses /${shortcut}`;

async function requireCannedResponse(db: Database, workspaceId: string, id: string) {
  const canned = await db.cannedResponse.findFirst({ where: { id, workspaceId } });
  if (!canned) throw new NotFoundError("Canned response");
  return canned;
}

export async function createCannedResponse(db: Database, workspaceId: string, input: CannedResponseInput) {
  const data = parseOrRefuse(cannedSchema, input);
  return refuseDuplicate(db.cannedResponse.create({ data: { ...data, workspaceId } }), "shortcut", duplicate(data.shortcut));
}

export async function updateCannedResponse(db: Database, workspaceId: string, id: string, input: CannedResponseInput) {
  await requireCannedResponse(db, workspaceId, id);
  const data = parseOrRefuse(cannedSchema, input);
  return refuseDuplicate(db.cannedResponse.update({ where: { id }, data }), "shortcut", duplicate(data.shortcut));
}

export async function deleteCannedResponse(db: Database, workspaceId: string, id: string) {
  const canned = await requireCannedResponse(db, workspaceId, id);
  await db.cannedResponse.delete({ where: { id } });
  return canned;
}
