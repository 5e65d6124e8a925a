import { requireAdmin } from "../auth/roles.ts";
import type { Viewer } from "../auth/auth.service.ts";
import type { Database } from "../db/client.ts";
import { isUniqueViolation } from "../db/unique-violation.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { NotFoundError, ValidationError, type FieldError } from "../errors.ts";
import type { Prisma, SavedFilter } from "../generated/prisma/client.ts";

/** Saved filters a workspace keeps, at most: they are named audiences, not a query language. */
export const MAX_SAVED_FILTERS = 100;
/** The longest "last message within" a filter takes: two years. */
export const MAX_LAST_MESSAGE_DAYS = 730;
const DAY_MS = 86_400_000;

export interface SavedFilterCriteria {
  hasConversation: boolean;
  lastMessageWithinDays: number | null;
  optedIn: boolean;
  labelIds: string[];
}

export interface SavedFilterInput {
  name: string;
  hasConversation?: boolean | null;
  lastMessageWithinDays?: number | null;
  optedIn?: boolean | null;
  labelIds?: readonly string[] | null;
}

export function criteriaOf(filter: Pick<SavedFilter, "hasConversation" | "lastMessageWithinDays" | "optedIn" | "labelIds">): SavedFilterCriteria {
  return { hasConversation: filter.hasConversation, lastMessageWithinDays: filter.lastMessageWithinDays, optedIn: filter.optedIn, labelIds: JSON.parse(filter.labelIds) as string[] };
}

/**
 * The contacts a filter matches, as a condition the database evaluates (an audience of 100,000 is
 * never read into memory to be tested one by one): every criterion set must hold.
 */
export function savedFilterWhere(criteria: SavedFilterCriteria, now = new Date()): Prisma.ContactWhereInput {
  const all: Prisma.ContactWhereInput[] = [];
  if (criteria.hasConversation) all.push({ conversations: { some: {} } });
  if (criteria.lastMessageWithinDays !== null) {
    all.push({ conversations: { some: { lastMessageAt: { gte: new Date(now.getTime() - criteria.lastMessageWithinDays * DAY_MS) } } } });
  }
  if (criteria.optedIn) all.push({ marketingConsent: "OPTED_IN" });
  if (criteria.labelIds.length > 0) {
    all.push({ OR: [{ labels: { some: { labelId: { in: criteria.labelIds } } } }, { conversations: { some: { labels: { some: { labelId: { in: criteria.labelIds } } } } } }] });
  }
  return { AND: all };
}

/** The conditions of the filters named (any of them matches), checked to be the workspace's. */
export async function savedFiltersWhere(db: Database, workspaceId: string, ids: readonly string[]): Promise<Prisma.ContactWhereInput[]> {
  if (ids.length === 0) return [];
  const filters = await db.savedFilter.findMany({ where: { workspaceId, id: { in: [...ids] } } });
  const now = new Date();
  return filters.map((filter) => savedFilterWhere(criteriaOf(filter), now));
}

export function listSavedFilters(db: Database, workspaceId: string) {
  return db.savedFilter.findMany({ where: { workspaceId }, orderBy: [{ name: "asc" }], take: MAX_SAVED_FILTERS });
}

/** A named audience (admins): every refused input is named at once, and nothing is stored. */
export async function createSavedFilter(db: Database, viewer: Viewer, input: SavedFilterInput): Promise<SavedFilter> {
  requireAdmin(viewer, "save audience filters");
  const { workspaceId } = viewer;
  const problems: FieldError[] = [];
  const name = input.name.trim();
  if (!name || name.length > 60) problems.push({ field: "name", message: "Give the filter a name of 1 to 60 characters" });
  const days = input.lastMessageWithinDays ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_LAST_MESSAGE_DAYS)) {
    problems.push({ field: "lastMessageWithinDays", message: `Give a whole number of days from 1 to ${MAX_LAST_MESSAGE_DAYS}` });
  }
  const labelIds = [...new Set(input.labelIds ?? [])];
  if (labelIds.length > 0 && (await db.label.count({ where: { workspaceId, id: { in: labelIds } } })) !== labelIds.length) {
    problems.push({ field: "labelIds", message: "Some of these labels do not exist" });
  }
  const criteria: SavedFilterCriteria = { hasConversation: input.hasConversation ?? false, lastMessageWithinDays: days, optedIn: input.optedIn ?? false, labelIds };
  if (!criteria.hasConversation && days === null && !criteria.optedIn && labelIds.length === 0) {
    problems.push({ field: "criteria", message: "Choose at least one criterion: has a conversation, last message within N days, opted in, or labels" });
  }
  if ((await db.savedFilter.count({ where: { workspaceId } })) >= MAX_SAVED_FILTERS) problems.push({ field: "name", message: `A workspace keeps at most ${MAX_SAVED_FILTERS} saved filters` });
  if (problems.length > 0) throw new ValidationError(problems);
  try {
    return await serializedWrite(db, () =>
      db.savedFilter.create({
        data: { workspaceId, name, hasConversation: criteria.hasConversation, lastMessageWithinDays: days, optedIn: criteria.optedIn, labelIds: JSON.stringify(labelIds) },
      }),
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw ValidationError.of("name", `A saved filter is already named ${name}`);
    throw error;
  }
}

/** Removes a saved filter (admins). Campaigns already started keep the recipients they queued. */
export async function deleteSavedFilter(db: Database, viewer: Viewer, id: string): Promise<SavedFilter> {
  requireAdmin(viewer, "delete audience filters");
  const filter = await db.savedFilter.findFirst({ where: { id, workspaceId: viewer.workspaceId } });
  if (!filter) throw new NotFoundError("Saved filter");
  await serializedWrite(db, () => db.savedFilter.delete({ where: { id } }));
  return filter;
}
