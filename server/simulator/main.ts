/**
 * `npm run simulator`: the local WhatsApp Cloud API for the demo and manual testing. Reads the
 * same WHATSAPP_* variables as the product, so both can share one environment; when they are
 * not set it uses development values and prints them, since they protect nothing.
 */
import { z } from "zod";
import { createSimulator } from "./simulator.ts";

const DEVELOPMENT_DEFAULTS = {
  WHATSAPP_TOKEN: "simulator-token",
  WHATSAPP_PHONE_ID: "100000000000001",
  WHATSAPP_BUSINESS_ACCOUNT_ID: "200000000000001",
  WHATSAPP_APP_SECRET: "simulator-app-secret",
} as const;

const environmentSchema = z.object({
  SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  SIMULATOR_HOST: z.string().min(1).default("127.0.0.1"),
  SIMULATOR_WEBHOOK_URL: z.url().default("http://localhost:3001/api/whatsapp/webhook"),
  WHATSAPP_TOKEN: z.string().min(1).optional(),
  WHATSAPP_PHONE_ID: z.string().regex(/^\d+$/, "must be digits only").optional(),
  WHATSAPP_BUSINESS_ACCOUNT_ID: z.string().regex(/^\d+$/, "must be digits only").optional(),
  WHATSAPP_APP_SECRET: z.string().min(1).optional(),
});

const emptyAsUnset = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== undefined && value.trim() !== ""));
const parsed = environmentSchema.safeParse(emptyAsUnset);
if (!parsed.success) {
  // Names only, never values: some of them are secrets.
  console.error(`Invalid simulator configuration: ${parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; ")}`);
  process.exit(1);
}
const env = parsed.data;
const defaulted = (Object.keys(DEVELOPMENT_DEFAULTS) as Array<keyof typeof DEVELOPMENT_DEFAULTS>).filter((name) => env[name] === undefined);
const value = (name: keyof typeof DEVELOPMENT_DEFAULTS) => env[name] ?? DEVELOPMENT_DEFAULTS[name];

const simulator = createSimulator({
  token: value("WHATSAPP_TOKEN"),
  phoneNumberId: value("WHATSAPP_PHONE_ID"),
  businessAccountId: value("WHATSAPP_BUSINESS_ACCOUNT_ID"),
  appSecret: value("WHATSAPP_APP_SECRET"),
  webhookUrl: env.SIMULATOR_WEBHOOK_URL,
});
const baseUrl = await simulator.start(env.SIMULATOR_PORT, env.SIMULATOR_HOST);

console.log(`WhatsApp Cloud API simulator listening on ${baseUrl}`);
console.log(`  webhooks go to ${env.SIMULATOR_WEBHOOK_URL}`);
console.log(`  control API: ${baseUrl}/_simulator/`);
console.log(`  point the product at it with WHATSAPP_API_BASE_URL=${baseUrl}`);
if (defaulted.length > 0) {
  console.log("  not set, development values used (give the product the same):");
  for (const name of defaulted) console.log(`    ${name}=${DEVELOPMENT_DEFAULTS[name]}`);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void simulator.stop().then(() => process.exit(0));
  });
}
