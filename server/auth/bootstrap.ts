import { randomBytes } from "node:crypto";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { adoptNumberlessConversations } from "../db/workspace-numbers.ts";
import { NOTICE, type Logger } from "../logger.ts";
import { normalizeEmail } from "./email.ts";
import { hashPassword } from "./password.ts";
import { hashToken } from "./tokens.ts";

const DEFAULT_ADMIN_EMAIL = "admin@bharat-crm.local";

/**
 * Makes a fresh database usable: a first workspace and admin (from ADMIN_EMAIL/ADMIN_PASSWORD,
 * or a generated password logged once), ADMIN_API_TOKEN granted to that admin, and the
 * WHATSAPP_* number connected for the first workspace (its token stays in WHATSAPP_TOKEN: see
 * whatsapp-numbers/number-directory.ts). Safe to run at every start: a number connected,
 * reconnected or disconnected on the Settings → WhatsApp page is left as the admin left it.
 */
export async function bootstrapDatabase(db: Database, config: Config, logger: Logger) {
  let admin = await db.user.findFirst({ where: { role: "ADMIN" }, orderBy: { createdAt: "asc" } });
  if (!admin && (await db.user.count()) === 0) {
    const email = normalizeEmail(config.ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL);
    const password = config.ADMIN_PASSWORD ?? randomBytes(12).toString("base64url");
    const workspace = await db.workspace.create({ data: { name: "My business" } });
    admin = await db.user.create({
      data: { workspaceId: workspace.id, email, name: "Admin", role: "ADMIN", passwordHash: await hashPassword(password) },
    });
    if (config.ADMIN_PASSWORD) {
      logger.info({ email }, "Created the first admin account with ADMIN_PASSWORD");
    } else {
      // Printed once, by design: it is the only way into a fresh install without ADMIN_PASSWORD.
      logger.warn({ [NOTICE]: true }, `Created the first admin account: ${email} / ${password}\nKeep the password: it is shown only this once.`);
    }
  }
  if (!admin) return;

  if (config.ADMIN_API_TOKEN) {
    const tokenHash = hashToken(config.ADMIN_API_TOKEN);
    await db.apiToken.upsert({
      where: { tokenHash },
      create: { userId: admin.id, name: "ADMIN_API_TOKEN", tokenHash },
      update: {},
    });
  }
  if (config.WHATSAPP_PHONE_ID) {
    const number = await db.whatsAppPhoneNumber.upsert({
      where: { phoneNumberId: config.WHATSAPP_PHONE_ID },
      create: {
        phoneNumberId: config.WHATSAPP_PHONE_ID,
        workspaceId: admin.workspaceId,
        businessAccountId: config.WHATSAPP_BUSINESS_ACCOUNT_ID,
        connectedAt: new Date(),
      },
      update: {},
    });
    await adoptNumberlessConversations(db, number.workspaceId, number.phoneNumberId);
  }
}
