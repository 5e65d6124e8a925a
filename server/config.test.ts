import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

const run = promisify(execFile);

describe("configuration", () => {
  it("has defaults that run the product on a fresh clone", () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3001);
    expect(config.DATABASE_URL).toBe("file:./data/bharat.db");
    expect(config.DEFAULT_COUNTRY).toBe("IN");
    expect(config.CONVERSATIONS_DIR).toBe("conversations");
    expect(config.WHATSAPP_API_BASE_URL).toBe("https://graph.facebook.com");
    expect(config.whatsappMissing).toEqual(["WHATSAPP_TOKEN", "WHATSAPP_PHONE_ID", "WHATSAPP_BUSINESS_ACCOUNT_ID"]);
    expect(config.cookieSecure).toBe(false);
  });

  it("treats empty values as unset, as .env files written from .env.example have them", () => {
    expect(loadConfig({ WHATSAPP_TOKEN: "", REDIS_URL: "", ADMIN_EMAIL: "" }).WHATSAPP_TOKEN).toBeUndefined();
  });

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DEFAULT_COUNTRY: "XX" }, "DEFAULT_COUNTRY"],
    [{ DATABASE_URL: "mysql://localhost/x" }, "DATABASE_URL"],
    [{ WHATSAPP_API_BASE_URL: "not a url" }, "WHATSAPP_API_BASE_URL"],
    [{ WHATSAPP_PHONE_ID: "12ab" }, "WHATSAPP_PHONE_ID"],
    [{ ADMIN_EMAIL: "admin" }, "ADMIN_EMAIL"],
  ])("names the variable of a wrong value: %j", (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${name} `));
  });

  it("refuses an ADMIN_API_TOKEN shorter than 32 characters without repeating the secret", () => {
    const secret = "short-secret-value";
    let message = "";
    try {
      loadConfig({ ADMIN_API_TOKEN: secret });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("ADMIN_API_TOKEN must be at least 32 characters");
    expect(message).not.toContain(secret);
  });

  it("is reported by the server as one line on stderr, with exit code 1", async () => {
    const failure = await run(process.execPath, ["--import", "tsx", "server/main.ts"], {
      env: { ...process.env, PORT: "not-a-port", DATABASE_URL: "file:/nonexistent/never.db" },
    }).catch((error: { code: number; stderr: string; stdout: string }) => error);
    expect("code" in failure && failure.code).toBe(1);
    expect(failure.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^Invalid configuration: PORT /)]);
  });
});
