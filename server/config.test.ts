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

  it("trusts no proxy by default, and reads TRUST_PROXY as a hop count or a list of addresses and CIDRs", () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "false" }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "1" }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: " 10.0.0.2, 10.1.0.0/16 ,::1" }).TRUST_PROXY).toEqual(["10.0.0.2", "10.1.0.0/16", "::1"]);
  });

  it("reads CORS_ORIGINS as origins, none by default", () => {
    expect(loadConfig({}).CORS_ORIGINS).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: "https://crm.example.in, http://localhost:5173/" }).CORS_ORIGINS).toEqual(["https://crm.example.in", "http://localhost:5173"]);
  });

  it("treats empty values as unset, as .env files written from .env.example have them", () => {
    expect(loadConfig({ WHATSAPP_TOKEN: "", REDIS_URL: "", ADMIN_EMAIL: "" }).WHATSAPP_TOKEN).toBeUndefined();
  });

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DEFAULT_COUNTRY: "XX" }, "DEFAULT_COUNTRY"],
    [{ DATABASE_URL: "mysql://localhost/x" }, "DATABASE_URL"],
    [{ DATABASE_URL: "file:./data/bharat.db?mode=ro" }, "DATABASE_URL"],
    [{ WHATSAPP_API_BASE_URL: "not a url" }, "WHATSAPP_API_BASE_URL"],
    [{ WHATSAPP_PHONE_ID: "12ab" }, "WHATSAPP_PHONE_ID"],
    [{ ADMIN_EMAIL: "admin" }, "ADMIN_EMAIL"],
    [{ TRUST_PROXY: "true" }, "TRUST_PROXY"],
    [{ TRUST_PROXY: "10.0.0.0/33" }, "TRUST_PROXY"],
    [{ TRUST_PROXY: "10.0.0.1, nginx" }, "TRUST_PROXY"],
    [{ CORS_ORIGINS: "crm.example.in" }, "CORS_ORIGINS"],
    [{ PUBLIC_REQUEST_TIMEOUT_MS: "0" }, "PUBLIC_REQUEST_TIMEOUT_MS"],
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
