/**
 * `POST | DELETE | GET /{phone-number-id}/block_users`, as Meta's "Block users" page describes
 * them: only customers who wrote in the last 24 hours can be blocked, at most 1,000 a request;
 * some users failing answers 400 with `(#139100) Failed to block/unblock users` and each failed
 * user's reason in `block_users.failed_users`.
 */
import type { BlockedUserResult, BlockedUsersListResponse, BlockUsersResponse } from "../whatsapp/cloud-api.ts";
import { SERVICE_WINDOW_MS, errorAnswer, type Answer } from "./graph-messages.ts";
import { graphError, invalidParameterError } from "./meta-errors.ts";
import { digitsOnly, type SimulatorState } from "./state.ts";

/** @default 1000 */
const USERS_PER_REQUEST_MAX = 1000;
/** @default 64_000 */
const BLOCKLIST_MAX = 64_000;

export function handleBlockUsers(state: SimulatorState, method: string, body: unknown, nowMs: number): Answer {
  if (method === "GET") {
    const answer: BlockedUsersListResponse = { data: [{ block_users: [...state.blocked].map((waId) => ({ input: waId, wa_id: waId })) }] };
    return { status: 200, json: answer, errorCode: null };
  }
  const request = body as { messaging_product?: unknown; block_users?: unknown } | undefined;
  if (request?.messaging_product !== "whatsapp") return errorAnswer(invalidParameterError("The parameter messaging_product is required and must be whatsapp"));
  const users = Array.isArray(request.block_users) ? request.block_users : null;
  if (!users || users.length === 0) return errorAnswer(invalidParameterError("The parameter block_users is required"));
  if (users.length > USERS_PER_REQUEST_MAX) return errorAnswer(invalidParameterError(`Param block_users must have at most ${USERS_PER_REQUEST_MAX} elements`));
  const done: BlockedUserResult[] = [];
  const failed: BlockedUserResult[] = [];
  for (const entry of users) {
    const input = typeof (entry as { user?: unknown })?.user === "string" ? (entry as { user: string }).user : "";
    const waId = digitsOnly(input);
    const fail = (code: number, message: string, details: string) =>
      failed.push({ input, ...(waId ? { wa_id: waId } : {}), errors: [{ message, code, error_data: { details } }] });
    if (!waId) fail(100, "Invalid parameter", "The user must be a phone number or a WhatsApp ID");
    else if (method === "DELETE") {
      state.blocked.delete(waId);
      done.push({ input, wa_id: waId });
    } else {
      const lastInbound = state.lastInboundAtMs.get(waId);
      if (lastInbound === undefined || nowMs - lastInbound >= SERVICE_WINDOW_MS) fail(131047, "Re-engagement required", "User has not messaged in the last 24 hours");
      else if (state.blocked.size >= BLOCKLIST_MAX && !state.blocked.has(waId)) fail(139100, "Blocklist full", `The blocklist holds at most ${BLOCKLIST_MAX} users`);
      else {
        state.blocked.add(waId);
        done.push({ input, wa_id: waId });
      }
    }
  }
  const listed: BlockUsersResponse = {
    messaging_product: "whatsapp",
    block_users: { ...(method === "DELETE" ? { removed_users: done } : { added_users: done }), ...(failed.length > 0 ? { failed_users: failed } : {}) },
  };
  if (failed.length === 0) return { status: 200, json: listed, errorCode: null };
  const { body: error } = graphError(139100, {
    message: "(#139100) Failed to block/unblock users",
    details: `Failed to ${method === "DELETE" ? "unblock" : "block"} some users, see the block_users response list for details`,
  });
  return { status: 400, json: { ...listed, ...error }, errorCode: 139100 };
}
