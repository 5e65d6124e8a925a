import { z } from "zod";
import type { Database } from "../db/client.ts";
import { NotFoundError } from "../errors.ts";
import { publishConversationsUpdated, type WorkflowDeps } from "./events.ts";
import { refuseDuplicate } from "../db/unique-violation.ts";
import { parseOrRefuse } from "./validation.ts";

export interface LabelInput {
  name: string;
  color: string;
}

export const LABEL_NAME_MAX = 40;

const labelSchema = z.object({
  name: z.string().trim().min(1, "Give the label a name").max(LABEL_NAME_MAX, `Must be at most ${LABEL_NAME_MAX} characters`),
  // Only #rrggbb: the colour goes into a style attribute, so nothing else may get through.
  color: z
    .string()
    .trim()
    .regex(/^#[0-9a-fA-F]{6}$/, "Use a colour like #25d366")
    .transform((color) => color.toLowerCase()),
});

const DUPLICATE_NAME = "Another label already has this name";

export async function requireLabel(db: Database, workspaceId: string, id: string) {
  const label = await db.label.findFirst({ where: { id, workspaceId } });
  if (!label) throw new NotFoundError("Label");
  return label;
}

/** Every conversation wearing the label: their chips change with it. */
async function conversationsWith(db: Database, labelId: string) {
  const rows = await db.conversationLabel.findMany({ where: { labelId }, select: { conversationId: true } });
  return rows.map((row) => row.conversationId);
}

export async function createLabel({ db }: WorkflowDeps, workspaceId: string, input: LabelInput) {
  const data = parseOrRefuse(labelSchema, input);
  return refuseDuplicate(db.label.create({ data: { ...data, workspaceId } }), "name", DUPLICATE_NAME);
}

export async function updateLabel(deps: WorkflowDeps, workspaceId: string, id: string, input: LabelInput) {
  await requireLabel(deps.db, workspaceId, id);
  const data = parseOrRefuse(labelSchema, input);
  const label = await refuseDuplicate(deps.db.label.update({ where: { id }, data }), "name", DUPLICATE_NAME);
  publishConversationsUpdated(deps.pubsub, workspaceId, await conversationsWith(deps.db, id));
  return label;
}

/** Deletes the label and takes it off every conversation. */
export async function deleteLabel(deps: WorkflowDeps, workspaceId: string, id: string) {
  const label = await requireLabel(deps.db, workspaceId, id);
  const wearing = await conversationsWith(deps.db, id);
  await deps.db.label.delete({ where: { id } });
  publishConversationsUpdated(deps.pubsub, workspaceId, wearing);
  return label;
}
