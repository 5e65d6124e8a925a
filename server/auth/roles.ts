import { ForbiddenError } from "../errors.ts";
import type { Viewer } from "./auth.service.ts";

/**
 * The one gate for what only admins do (the team, automation, templates sync, workspace
 * settings). Resolvers and REST routes both call it before touching anything; GraphQL answers
 * `ForbiddenError`, REST 403.
 */
export function requireAdmin(viewer: Viewer, what: string): void {
  if (viewer.role !== "ADMIN") throw new ForbiddenError(`Only admins can ${what}`);
}
