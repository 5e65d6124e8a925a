import { z } from "zod";
import type { Viewer } from "../auth/auth.service.ts";
import { ForbiddenError, NotFoundError } from "../errors.ts";
import { requireConversation } from "../inbox/conversations.service.ts";
import { publishNotesChanged, type WorkflowDeps } from "./events.ts";
import { parseOrRefuse } from "./validation.ts";

export const NOTE_MAX_LENGTH = 4000;

const noteSchema = z.object({
  body: z.string().trim().min(1, "Write something in the note").max(NOTE_MAX_LENGTH, `Must be at most ${NOTE_MAX_LENGTH} characters`),
});

/** Whether the viewer may delete the note: its author, or an admin. */
export function canDeleteNote(viewer: Pick<Viewer, "userId" | "role">, note: { authorId: string | null }) {
  return viewer.role === "ADMIN" || note.authorId === viewer.userId;
}

/**
 * An internal note: stored and shown to the workspace's agents only. Nothing here reaches the
 * Cloud API — notes have no path to the outbox.
 */
export async function addConversationNote(deps: WorkflowDeps, viewer: Viewer, conversationId: string, body: string) {
  const data = parseOrRefuse(noteSchema, { body });
  await requireConversation(deps.db, viewer.workspaceId, conversationId);
  const note = await deps.db.conversationNote.create({
    data: { ...data, conversationId, workspaceId: viewer.workspaceId, authorId: viewer.userId },
  });
  publishNotesChanged(deps.pubsub, viewer.workspaceId, conversationId);
  return note;
}

export async function deleteConversationNote(deps: WorkflowDeps, viewer: Viewer, id: string) {
  const note = await deps.db.conversationNote.findFirst({ where: { id, workspaceId: viewer.workspaceId } });
  if (!note) throw new NotFoundError("Note");
  if (!canDeleteNote(viewer, note)) throw new ForbiddenError("Only the note's author or an admin can delete it");
  await deps.db.conversationNote.delete({ where: { id } });
  publishNotesChanged(deps.pubsub, viewer.workspaceId, note.conversationId);
  return note;
}
