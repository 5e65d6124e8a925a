import { existsSync } from "node:fs";
import { isIP } from "node:net";
import { isSupportedCountry, type CountryCode } from "libphonenumber-js";
import { z } from "zod";
import { INDIA_DEFAULT_RATES, pricingRatesJson } from "./whatsapp/pricing.ts";

/** MEDIA_DIR's default: runtime data lives under data/, with the database. */
export const DEFAULT_MEDIA_DIR = "data/media";

const optionalSecret = (minLength = 1) =>
  z.preprocess(emptyToUndefined, z.string().min(minLength, `must be at least ${minLength} characters`).optional());

function emptyToUndefined(value: unknown) {
  return typeof value === "string" && value.trim() === "" ? undefined : value;
}

/**
 * Which proxies' `X-Forwarded-For` to believe: none (`false`, the default), the last N hops (a
 * number), or the proxies' own addresses and CIDRs (`10.0.0.2, 10.1.0.0/16`). Never everyone:
 * a client would then choose its own address, and with it its rate limits.
 */
const trustProxy = z
  .string()
  .trim()
  .transform((value, context): false | number | string[] => {
    if (/^(false|off|no|0)$/i.test(value)) return false;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(",").map((entry) => entry.trim()).filter(Boolean);
    const invalid = entries.filter((entry) => !isAddressOrCidr(entry));
    if (entries.length === 0 || invalid.length > 0) {
      context.addIssue({ code: "custom", message: "must be false, a hop count, or the proxies' addresses/CIDRs separated by commas" });
      return z.NEVER;
    }
    return entries;
  });

function isAddressOrCidr(entry: string): boolean {
  const [address, bits, extra] = entry.split("/");
  if (extra !== undefined || !address) return false;
  const version = isIP(address);
  if (version === 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}

/** Browser origins besides our own that may call /graphql with the user's cookies. */
const corsOrigins = z.string().transform((value, context): string[] => {
  const entries = value.split(",").map((entry) => entry.trim()).filter(Boolean);
  const origins = entries.map((entry) => (URL.canParse(entry) && /^https?:$/.test(new URL(entry).protocol) ? new URL(entry).origin : null));
  if (origins.some((origin) => origin === null)) {
    context.addIssue({ code: "custom", message: "must list origins such as https://crm.example.in, separated by commas" });
    return z.NEVER;
  }
  return origins as string[];
});

/**
 * SECRETS_KEY: 32 random bytes as 64 hex digits or as base64 (`openssl rand -base64 32`). Decoded
 * here once, so that a wrong key stops the start with a clear message instead of failing at the
 * first connected number.
 */
const secretsKey = z.string().trim().transform((value, context): Buffer => {
  const bytes = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, "hex") : /^[A-Za-z0-9+/_-]{43}=?$/.test(value) ? Buffer.from(value, "base64") : null;
  if (bytes?.length !== 32) {
    context.addIssue({ code: "custom", message: "must be 32 random bytes, as 64 hex digits or base64 (openssl rand -base64 32)" });
    return z.NEVER;
  }
  return bytes;
});

const environmentSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().default("0.0.0.0"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_FORMAT: z.preprocess(emptyToUndefined, z.enum(["auto", "pretty", "json"]).default("auto")),
  DATABASE_URL: z
    .string()
    .default("file:./data/bharat.db")
    .refine(
      (url) => /^(file:|postgres(ql)?:\/\/)/.test(url),
      "must be a SQLite URL such as file:./data/bharat.db or a postgresql:// URL",
    )
    .refine((url) => !/^file:.*[?#]/.test(url), "a SQLite URL takes no ?parameters or #fragment: file:./data/bharat.db (a space in the path as %20)"),
  WHATSAPP_TOKEN: optionalSecret(),
  WHATSAPP_PHONE_ID: z.preprocess(emptyToUndefined, z.string().regex(/^\d+$/, "must be digits only").optional()),
  WHATSAPP_BUSINESS_ACCOUNT_ID: z.preprocess(emptyToUndefined, z.string().regex(/^\d+$/, "must be digits only").optional()),
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: optionalSecret(),
  WHATSAPP_APP_SECRET: optionalSecret(),
  WHATSAPP_ALLOW_UNSIGNED_WEBHOOKS: z.preprocess(emptyToUndefined, z.stringbool().default(false)),
  WEBHOOK_RATE_LIMIT_PER_MINUTE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(600)),
  TRUST_PROXY: z.preprocess(emptyToUndefined, trustProxy.default(false)),
  CORS_ORIGINS: z.preprocess(emptyToUndefined, corsOrigins.default([])),
  PUBLIC_REQUEST_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(120_000).default(10_000)),
  WHATSAPP_API_BASE_URL: z.url({ message: "must be a URL such as https://graph.facebook.com" }).default("https://graph.facebook.com"),
  WHATSAPP_API_VERSION: z.string().regex(/^v\d+\.\d+$/, "must look like v23.0").default("v23.0"),
  WHATSAPP_API_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  WHATSAPP_SEND_RATE_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(80),
  OUTBOX_RETRY_BASE_MS: z.coerce.number().int().min(1).default(2_000),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  OUTBOX_UNKNOWN_OUTCOME_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(120_000),
  DEFAULT_COUNTRY: z
    .string()
    .default("IN")
    .transform((code) => code.toUpperCase())
    .refine(isSupportedCountry, "must be a two-letter country code such as IN")
    .transform((code) => code as CountryCode),
  CONVERSATIONS_DIR: z.string().min(1).default("conversations"),
  MEDIA_DIR: z.string().min(1).default(DEFAULT_MEDIA_DIR),
  MEDIA_MAX_DOWNLOAD_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  MEDIA_RETRY_BASE_MS: z.coerce.number().int().min(1).default(5_000),
  REDIS_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^rediss?$/, message: "must be a redis:// URL" }).optional()),
  ADMIN_EMAIL: z.preprocess(emptyToUndefined, z.email({ message: "must be an email address" }).optional()),
  ADMIN_PASSWORD: optionalSecret(8),
  ADMIN_API_TOKEN: optionalSecret(32),
  SESSION_TTL_HOURS: z.coerce.number().int().positive().default(24 * 7),
  COOKIE_SECURE: z.preprocess(emptyToUndefined, z.stringbool().optional()),
  // Estimates of Meta's charges by country and pricing category; see server/reports/pricing.ts.
  WHATSAPP_PRICING_RATES: z.preprocess(emptyToUndefined, pricingRatesJson.default(INDIA_DEFAULT_RATES)),
  // Auto-replies (server/autoreply): AI answers only when all three AI_* are set.
  AI_BASE_URL: z.preprocess(emptyToUndefined, z.url({ message: "must be a URL such as https://api.openai.com/v1" }).optional()),
  AI_API_KEY: optionalSecret(),
  AI_MODEL: z.preprocess(emptyToUndefined, z.string().optional()),
  AI_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(120_000).default(15_000)),
  // Teams and workspaces (server/team).
  PUBLIC_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://crm.example.com" }).optional()),
  SMTP_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^smtps?$/, message: "must be an smtp:// or smtps:// URL" }).optional()),
  SMTP_FROM: z.preprocess(emptyToUndefined, z.string().min(3).default("Bharat CRM <no-reply@bharat-crm.local>")),
  ALLOW_SIGNUP: z.preprocess(emptyToUndefined, z.stringbool().default(false)),
  // Encrypts the access tokens of connected WhatsApp numbers (server/secrets). Required with PostgreSQL.
  SECRETS_KEY: z.preprocess(emptyToUndefined, secretsKey.optional()),
  AUTO_REPLY_AGENT_ACTIVE_MINUTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(24 * 60).default(30)),
  // Coexistence: messages per transaction of a WhatsApp Business app history import (inbox/history-import.ts).
  HISTORY_IMPORT_BATCH_SIZE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(10_000).default(500)),
});

export type Environment = z.infer<typeof environmentSchema>;

/**
 * TRUST_PROXY as Fastify takes it. A hop count trusts that many proxies nearest to us: the
 * address they saw is the client's, whatever a client wrote further left in X-Forwarded-For.
 */
export function trustedProxies(setting: Environment["TRUST_PROXY"]): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === "number" ? (_address, hop) => hop < setting : setting;
}

export interface Config extends Environment {
  isProduction: boolean;
  cookieSecure: boolean;
  /** The variables the Cloud API needs that are not set (empty when WhatsApp is configured). */
  whatsappMissing: string[];
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const WHATSAPP_REQUIRED = ["WHATSAPP_TOKEN", "WHATSAPP_PHONE_ID", "WHATSAPP_BUSINESS_ACCOUNT_ID"] as const;

/**
 * Reads and validates the environment once. A wrong value throws a ConfigError whose message
 * names each offending variable on its own line — never the value, which may be a secret.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${lines.join("; ")}`);
  }
  const values = parsed.data;
  const isProduction = values.NODE_ENV === "production";
  if (isProduction && values.WHATSAPP_ALLOW_UNSIGNED_WEBHOOKS) {
    throw new ConfigError("Invalid configuration: WHATSAPP_ALLOW_UNSIGNED_WEBHOOKS must not be true in production");
  }
  if (/^postgres/.test(values.DATABASE_URL) && !values.SECRETS_KEY) {
    // Several instances share one database: a key file of one instance's own would not open the others' tokens.
    throw new ConfigError("Invalid configuration: SECRETS_KEY is required with PostgreSQL (every instance must have the same one; generate it with openssl rand -base64 32)");
  }
  return {
    ...values,
    isProduction,
    cookieSecure: values.COOKIE_SECURE ?? isProduction,
    whatsappMissing: WHATSAPP_REQUIRED.filter((name) => !values[name]),
  };
}

/**
 * For entry points (server, scripts): reads `.env` when present — the environment wins over
 * it — and exits with the one-line message when the configuration is wrong.
 */
export function loadConfigOrExit(): Config {
  if (existsSync(".env")) process.loadEnvFile(".env");
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
