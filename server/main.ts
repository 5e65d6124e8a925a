import { existsSync } from "node:fs";
import { buildApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";

if (existsSync(".env")) process.loadEnvFile(".env");

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const app = await buildApp(config);
const url = await app.start();
app.logger.info(`Bharat CRM is running on ${url}`);
if (config.whatsappMissing.length > 0) {
  app.logger.warn(`WhatsApp is not configured: set ${config.whatsappMissing.join(", ")}`);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    app.logger.info(`${signal}: shutting down`);
    await app.stop();
    process.exit(0);
  });
}
