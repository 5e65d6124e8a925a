/**
 * Secrets kept in the database (the access tokens of connected WhatsApp numbers) are sealed with
 * AES-256-GCM: whoever reads the database, a backup or a log of it learns nothing, and a changed
 * byte makes opening fail instead of yielding a wrong token. The key is never in the database:
 * it is SECRETS_KEY, or on the embedded default a key file made on first start beside the SQLite
 * file, readable by its owner only.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config.ts";
import { databaseFolder } from "../db/client.ts";
import type { Logger } from "../logger.ts";

/** The key file's name, in the database's folder (data/ by default). */
export const KEY_FILE_NAME = "secrets.key";
const KEY_BYTES = 32;
/** GCM's recommended nonce size. @default 12 bytes */
const IV_BYTES = 12;
/** Names the format, so that a later one (another algorithm, a rotated key) can be told apart. */
const VERSION = "v1";

/** A sealed secret that does not open: tampered with, sealed for another row, or with another key. */
export class SecretUnreadableError extends Error {
  override name = "SecretUnreadableError";
}

export interface SecretBox {
  /** `context` binds the secret to where it is kept (e.g. the number's id): it opens nowhere else. */
  seal(plain: string, context: string): string;
  open(sealed: string, context: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`The secrets key must be ${KEY_BYTES} bytes`);
  return {
    seal(plain, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
    },
    open(sealed, context) {
      const [version, iv, tag, ciphertext, extra] = sealed.split(".");
      if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined || extra !== undefined) {
        throw new SecretUnreadableError("Not a sealed secret");
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretUnreadableError("The sealed secret does not open with this key: it was changed, or sealed with another key");
      }
    },
  };
}

/**
 * SECRETS_KEY when set (config.ts decoded and checked it). Otherwise, on SQLite, the key file
 * beside the database, made on first start with mode 0600; PostgreSQL never gets here without
 * SECRETS_KEY (config.ts refuses to start).
 */
export function loadSecretsKey(config: Pick<Config, "SECRETS_KEY" | "DATABASE_URL">, logger?: Logger): Buffer {
  if (config.SECRETS_KEY) return config.SECRETS_KEY;
  const folder = databaseFolder(config.DATABASE_URL);
  if (!folder) throw new Error("SECRETS_KEY is required with PostgreSQL");
  const file = path.join(folder, KEY_FILE_NAME);
  mkdirSync(folder, { recursive: true });
  try {
    // `wx`: never overwrite a key another start made meanwhile; the mode applies from the first byte.
    const fd = openSync(file, "wx", 0o600);
    try {
      writeSync(fd, `${randomBytes(KEY_BYTES).toString("base64")}\n`);
    } finally {
      closeSync(fd);
    }
    logger?.info({ file }, "Created the secrets key file: back it up with the database (stored access tokens cannot be read without it)");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  // A key readable by others is a leaked key: tighten what an earlier copy may have loosened.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  if (key.length !== KEY_BYTES) throw new Error(`The secrets key file ${file} is damaged: it must hold ${KEY_BYTES} bytes in base64`);
  return key;
}
