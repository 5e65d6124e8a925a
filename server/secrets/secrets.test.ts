import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config.ts";
import { createSecretBox, KEY_FILE_NAME, loadSecretsKey, SecretUnreadableError } from "./secrets.ts";

const dir = mkdtempSync(path.join(tmpdir(), "bharat-secrets-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = "EAAG-a-meta-system-user-token-0123456789";
const key = Buffer.alloc(32, 1);

describe("sealing a secret (AES-256-GCM)", () => {
  it("opens what it sealed, and the sealed text shows nothing of the secret", () => {
    const box = createSecretBox(key);
    const sealed = box.seal(TOKEN, "106540352242922");
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(TOKEN);
    expect(sealed).not.toContain(Buffer.from(TOKEN).toString("base64url").slice(0, 12));
    expect(box.open(sealed, "106540352242922")).toBe(TOKEN);
    // A fresh nonce each time: the same token never seals to the same text.
    expect(box.seal(TOKEN, "106540352242922")).not.toBe(sealed);
  });

  it("refuses a sealed secret changed by one character, in any of its parts", () => {
    const box = createSecretBox(key);
    const sealed = box.seal(TOKEN, "106540352242922");
    const parts = sealed.split(".");
    for (const index of [1, 2, 3]) {
      const changed = [...parts];
      const part = changed[index]!;
      changed[index] = `${part[0] === "A" ? "B" : "A"}${part.slice(1)}`;
      expect(() => box.open(changed.join("."), "106540352242922")).toThrow(SecretUnreadableError);
    }
    expect(() => box.open("not sealed at all", "106540352242922")).toThrow(SecretUnreadableError);
  });

  it("opens only for the row it was sealed for, and only with its key", () => {
    const sealed = createSecretBox(key).seal(TOKEN, "106540352242922");
    // Copying one number's sealed token onto another number's row gets nothing.
    expect(() => createSecretBox(key).open(sealed, "106540352242923")).toThrow(SecretUnreadableError);
    expect(() => createSecretBox(Buffer.alloc(32, 2)).open(sealed, "106540352242922")).toThrow(SecretUnreadableError);
  });
});

describe("the secrets key", () => {
  it("is made on first start as a key file beside the SQLite database, readable by its owner only, and kept", () => {
    const databaseUrl = `file:${path.join(dir, "data", "bharat.db")}`;
    const first = loadSecretsKey({ DATABASE_URL: databaseUrl, SECRETS_KEY: undefined });
    const file = path.join(dir, "data", KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first).toHaveLength(32);
    expect(loadSecretsKey({ DATABASE_URL: databaseUrl, SECRETS_KEY: undefined }).equals(first)).toBe(true);
    // A copy that loosened the mode is tightened again at start.
    chmodSync(file, 0o644);
    loadSecretsKey({ DATABASE_URL: databaseUrl, SECRETS_KEY: undefined });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("refuses a damaged key file rather than sealing with a weak key", () => {
    const folder = path.join(dir, "damaged");
    loadSecretsKey({ DATABASE_URL: `file:${path.join(folder, "bharat.db")}`, SECRETS_KEY: undefined });
    writeFileSync(path.join(folder, KEY_FILE_NAME), "c2hvcnQ=\n");
    expect(() => loadSecretsKey({ DATABASE_URL: `file:${path.join(folder, "bharat.db")}`, SECRETS_KEY: undefined })).toThrow(/damaged/);
  });

  it("takes SECRETS_KEY as 64 hex digits or base64, and writes no key file then", () => {
    const hex = "ab".repeat(32);
    const folder = path.join(dir, "with-key");
    const config = loadConfig({ SECRETS_KEY: hex, DATABASE_URL: `file:${path.join(folder, "bharat.db")}` });
    expect(loadSecretsKey(config).toString("hex")).toBe(hex);
    expect(() => statSync(path.join(folder, KEY_FILE_NAME))).toThrow();
    const base64 = Buffer.alloc(32, 9).toString("base64");
    expect(loadConfig({ SECRETS_KEY: base64 }).SECRETS_KEY?.equals(Buffer.alloc(32, 9))).toBe(true);
  });

  it("refuses at start a SECRETS_KEY that is not 32 bytes, without repeating it", () => {
    const wrong = "too-short-to-be-a-key";
    let message = "";
    try {
      loadConfig({ SECRETS_KEY: wrong });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/SECRETS_KEY must be 32 random bytes, as 64 hex digits or base64/);
    expect(message).not.toContain(wrong);
    expect(() => loadConfig({ SECRETS_KEY: Buffer.alloc(16).toString("base64") })).toThrow(/SECRETS_KEY must be 32 random bytes/);
  });

  it("is required with PostgreSQL, where every instance must hold the same one", () => {
    expect(() => loadConfig({ DATABASE_URL: "postgresql://bharat@localhost/bharat" })).toThrow(/SECRETS_KEY is required with PostgreSQL/);
    expect(loadConfig({ DATABASE_URL: "postgresql://bharat@localhost/bharat", SECRETS_KEY: "cd".repeat(32) }).SECRETS_KEY).toHaveLength(32);
  });
});
