/**
 * Which business number is ours: the configured WhatsApp number belongs to one workspace (see
 * auth/bootstrap.ts); sending, reading templates and uploading media all ask here first.
 */
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { ExpectedError } from "../errors.ts";

/** Refused because WhatsApp is not set up, or set up for another workspace's number. */
export class WhatsAppNotConfiguredError extends ExpectedError {
  override name = "WhatsAppNotConfiguredError";
  readonly code = "WHATSAPP_NOT_CONFIGURED";
  readonly httpStatus = 503;
  constructor(
    readonly missing: string[],
    message = "WhatsApp is not configured",
  ) {
    super(message);
  }

  override answerFields() {
    return { missing: this.missing };
  }
}

/** Said to a workspace that does not own the configured business number. */
export const NOT_THIS_WORKSPACES_NUMBER = "WhatsApp is not configured for this workspace: its business number belongs to another";

/** The configured number's workspace, per database: set at start-up (bootstrap.ts), then fixed. */
const configuredNumberOwners = new WeakMap<Database, Promise<string | null>>();

/**
 * Whether this workspace may use the configured business number: one workspace owns it (see
 * bootstrap.ts). Any other would be sending, and reading templates, as that business. Looked up
 * once: an extra query on every send would slow the send path for nothing.
 */
export async function ownsConfiguredNumber(db: Database, config: Config, workspaceId: string): Promise<boolean> {
  const phoneNumberId = config.WHATSAPP_PHONE_ID;
  if (!phoneNumberId) return false;
  let owner = configuredNumberOwners.get(db);
  if (!owner) {
    owner = db.whatsAppPhoneNumber.findUnique({ where: { phoneNumberId } }).then((number) => number?.workspaceId ?? null);
    configuredNumberOwners.set(db, owner);
    owner.then((found) => found ?? configuredNumberOwners.delete(db), () => configuredNumberOwners.delete(db));
  }
  return (await owner) === workspaceId;
}

export async function whatsappStatus(db: Database, config: Config, workspaceId: string) {
  if (config.whatsappMissing.length > 0) {
    return { configured: false, missing: config.whatsappMissing, message: `WhatsApp is not configured: set ${config.whatsappMissing.join(", ")}` };
  }
  if (!(await ownsConfiguredNumber(db, config, workspaceId))) return { configured: false, missing: [], message: NOT_THIS_WORKSPACES_NUMBER };
  return { configured: true, missing: [], message: "WhatsApp is configured and ready to use" };
}
