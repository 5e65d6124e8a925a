/**
 * Connecting and disconnecting a workspace's WhatsApp numbers (admins). Connecting asks Meta
 * first — the number and its details with the given token, that it belongs to the given business
 * account, the app subscribed to that account's webhooks — and stores nothing unless all of it
 * succeeded; the token is then kept sealed. A number id belongs to at most one workspace.
 */
import type { Viewer } from "../auth/auth.service.ts";
import { requireAdmin } from "../auth/roles.ts";
import type { Database } from "../db/client.ts";
import { isUniqueViolation } from "../db/unique-violation.ts";
import { adoptNumberlessConversations, workspaceNumberIds } from "../db/workspace-numbers.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { ExpectedError, NotFoundError, ValidationError, type FieldError } from "../errors.ts";
import type { WhatsAppPhoneNumber } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import type { PhoneNumberInfo } from "../whatsapp/cloud-api.ts";
import { CloudApiError } from "../whatsapp/errors.ts";
import type { NumberDirectory } from "./number-directory.ts";

/** Meta refused the access token (expired, revoked, mistyped: 190, or lacking a permission). Nothing was stored. */
export class WhatsAppTokenRefusedError extends ExpectedError {
  override name = "WhatsAppTokenRefusedError";
  readonly code = "WHATSAPP_TOKEN_REFUSED";
  readonly httpStatus = 400;
  constructor(
    readonly metaCode: number | null,
    title: string,
  ) {
    super(`Meta refused this access token: ${title}`);
  }
}

/** Meta knows no such number for this token, or the number is not in that business account. Nothing was stored. */
export class WhatsAppNumberNotFoundError extends ExpectedError {
  override name = "WhatsAppNumberNotFoundError";
  readonly code = "WHATSAPP_NUMBER_NOT_FOUND";
  readonly httpStatus = 400;
  constructor(
    /** The input to correct: phoneNumberId or businessAccountId. */
    readonly field: "phoneNumberId" | "businessAccountId",
    message: string,
  ) {
    super(message);
  }
}

/** Another workspace has this number connected (which one is not said). Nothing was stored. */
export class WhatsAppNumberTakenError extends ExpectedError {
  override name = "WhatsAppNumberTakenError";
  readonly code = "WHATSAPP_NUMBER_TAKEN";
  readonly httpStatus = 409;
  constructor() {
    super("This number is connected to another workspace: it must be disconnected there first");
  }
}

/** Meta could not be asked (down, timed out, an unexpected answer). Nothing was stored: try again. */
export class WhatsAppUnavailableError extends ExpectedError {
  override name = "WhatsAppUnavailableError";
  readonly code = "WHATSAPP_UNAVAILABLE";
  readonly httpStatus = 502;
  constructor(
    readonly metaCode: number | null,
    title: string,
  ) {
    super(`Meta could not check the number right now: ${title}`);
  }
}

export interface ConnectInput {
  phoneNumberId: string;
  businessAccountId: string;
  accessToken: string;
}

export interface NumbersDependencies {
  db: Database;
  numbers: NumberDirectory;
}

/** Graph ids are digits; Meta's long-lived tokens are a few hundred characters. */
const GRAPH_ID = /^\d{1,30}$/;
const TOKEN_MAX_LENGTH = 4096;

function checkInput(input: ConnectInput): ConnectInput {
  const cleaned = { phoneNumberId: input.phoneNumberId.trim(), businessAccountId: input.businessAccountId.trim(), accessToken: input.accessToken.trim() };
  const errors: FieldError[] = [];
  if (!GRAPH_ID.test(cleaned.phoneNumberId)) errors.push({ field: "phoneNumberId", message: "The phone number ID is digits (API Setup shows it; it is not the phone number itself)" });
  if (!GRAPH_ID.test(cleaned.businessAccountId)) errors.push({ field: "businessAccountId", message: "The WhatsApp Business Account ID is digits" });
  if (!cleaned.accessToken) errors.push({ field: "accessToken", message: "Paste the access token" });
  else if (cleaned.accessToken.length > TOKEN_MAX_LENGTH || /\s/.test(cleaned.accessToken)) errors.push({ field: "accessToken", message: "That is not an access token" });
  if (errors.length > 0) throw new ValidationError(errors);
  return cleaned;
}

/** Meta's refusals, as the form shows them. */
function refusal(error: CloudApiError, asking: "number" | "account"): ExpectedError {
  // 190: invalid or expired token; 10 and 200–299: the token lacks a permission (whatsapp_business_management…).
  if (error.code === 190 || error.code === 10 || (error.code !== null && error.code >= 200 && error.code < 300)) {
    return new WhatsAppTokenRefusedError(error.code, error.title);
  }
  if (error.code === 100) {
    return asking === "number"
      ? new WhatsAppNumberNotFoundError("phoneNumberId", "Meta knows no phone number with this ID that this token may use")
      : new WhatsAppNumberNotFoundError("businessAccountId", "Meta knows no WhatsApp Business Account with this ID that this token may manage");
  }
  return new WhatsAppUnavailableError(error.code, error.title);
}

async function askMeta<T>(call: () => Promise<T>, asking: "number" | "account"): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CloudApiError) throw refusal(error, asking);
    throw error;
  }
}

/**
 * Checks the number with Meta and stores it for the viewer's workspace, its token sealed. Connecting
 * a number the workspace already has (connected or not) updates its token and details. Meta is asked
 * before the database: only someone holding a working token learns that another workspace has it.
 */
export async function connectWhatsAppNumber(deps: NumbersDependencies, viewer: Viewer, raw: ConnectInput): Promise<WhatsAppPhoneNumber> {
  requireAdmin(viewer, "connect WhatsApp numbers");
  const input = checkInput(raw);
  const client = deps.numbers.clientFor({ phoneNumberId: input.phoneNumberId, businessAccountId: input.businessAccountId, token: input.accessToken });
  const info: PhoneNumberInfo = await askMeta(() => client.getPhoneNumber(), "number");
  if (!(await askMeta(() => client.accountHasNumber(), "account"))) {
    throw new WhatsAppNumberNotFoundError("businessAccountId", "This phone number is not in that WhatsApp Business Account");
  }
  await askMeta(() => client.subscribeApp(), "account");

  const { workspaceId } = viewer;
  const details = {
    workspaceId,
    businessAccountId: input.businessAccountId,
    displayPhoneNumber: info.displayPhoneNumber,
    verifiedName: info.verifiedName,
    qualityRating: info.qualityRating,
    throughputLevel: info.throughputLevel,
    messagingLimitTier: info.messagingLimitTier,
    coexistence: info.coexistence,
    status: "CONNECTED" as const,
    connectedAt: new Date(),
    accessTokenSealed: deps.numbers.seal(input.phoneNumberId, input.accessToken),
  };
  const stored = await serializedWrite(deps.db, async () => {
    // Ours already, or let go by another workspace: taken over. Connected elsewhere: refused.
    const updated = await deps.db.whatsAppPhoneNumber.updateMany({
      where: { phoneNumberId: input.phoneNumberId, OR: [{ workspaceId }, { status: "DISCONNECTED" }] },
      data: details,
    });
    if (updated.count === 0) {
      try {
        await deps.db.whatsAppPhoneNumber.create({ data: { phoneNumberId: input.phoneNumberId, ...details } });
      } catch (error) {
        if (isUniqueViolation(error)) throw new WhatsAppNumberTakenError();
        throw error;
      }
    }
    // The workspace's first number (this one, when it is its first) takes its conversations that have none yet.
    const [first] = await workspaceNumberIds(deps.db, workspaceId);
    if (first) await adoptNumberlessConversations(deps.db, workspaceId, first);
    return deps.db.whatsAppPhoneNumber.findUniqueOrThrow({ where: { phoneNumberId: input.phoneNumberId } });
  });
  deps.numbers.changed({ phoneNumberId: stored.phoneNumberId, workspaceId });
  return stored;
}

/**
 * A number set up by the WHATSAPP_* settings never went through connect, so Meta was never asked
 * for its messaging limit (what a campaign's limit check needs), name or quality: at start, while
 * it lacks a limit, they are asked for. Its throughput is left alone: WHATSAPP_SEND_RATE_PER_SECOND,
 * set beside the number, is its rate. A failure is only logged: a webhook announcing a limit, or
 * the next start, fills them in.
 */
export async function learnConfiguredNumber(deps: NumbersDependencies & { logger: Logger }, phoneNumberId: string) {
  const number = await deps.db.whatsAppPhoneNumber.findUnique({ where: { phoneNumberId } });
  if (!number || number.status !== "CONNECTED" || number.messagingLimitTier) return;
  try {
    const info = await (await deps.numbers.cloudApiFor(phoneNumberId)).getPhoneNumber();
    await serializedWrite(deps.db, () =>
      deps.db.whatsAppPhoneNumber.update({
        where: { phoneNumberId },
        data: {
          messagingLimitTier: info.messagingLimitTier,
          displayPhoneNumber: number.displayPhoneNumber ?? info.displayPhoneNumber,
          verifiedName: number.verifiedName ?? info.verifiedName,
          qualityRating: info.qualityRating ?? number.qualityRating,
        },
      }),
    );
    deps.numbers.changed({ phoneNumberId, workspaceId: number.workspaceId });
  } catch (error) {
    deps.logger.warn({ err: error, phoneNumberId }, "Could not ask WhatsApp for the configured number's messaging limit; campaigns cannot check it until WhatsApp announces one");
  }
}

/**
 * Stops using a number: nothing more is sent from it, its webhooks go to the unrouted log, and its
 * token is forgotten. Its conversations and their history stay; connecting it again resumes.
 */
export async function disconnectWhatsAppNumber(deps: NumbersDependencies, viewer: Viewer, phoneNumberId: string): Promise<WhatsAppPhoneNumber> {
  requireAdmin(viewer, "disconnect WhatsApp numbers");
  const { workspaceId } = viewer;
  const updated = await serializedWrite(deps.db, () =>
    deps.db.whatsAppPhoneNumber.updateMany({ where: { phoneNumberId, workspaceId }, data: { status: "DISCONNECTED", accessTokenSealed: null } }),
  );
  if (updated.count === 0) throw new NotFoundError("WhatsApp number");
  deps.numbers.changed({ phoneNumberId, workspaceId });
  return deps.db.whatsAppPhoneNumber.findUniqueOrThrow({ where: { phoneNumberId } });
}

/** The workspace's numbers, connected or not, in the order they were first connected (the first connected one is the default). */
export function workspaceNumbers(db: Database, workspaceId: string): Promise<WhatsAppPhoneNumber[]> {
  return db.whatsAppPhoneNumber.findMany({ where: { workspaceId }, orderBy: [{ createdAt: "asc" }, { phoneNumberId: "asc" }] });
}
