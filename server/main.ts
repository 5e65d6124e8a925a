import { buildApp } from "./app.ts";
import { loadConfigOrExit } from "./config.ts";

const config = loadConfigOrExit();

const app = await buildApp(config);
const url = await app.start();
app.logger.info(`Bharat CRM is running on ${url} (started in ${Math.round(performance.now())} ms)`);
if (config.whatsappMissing.length === 3) {
  app.logger.info("No WhatsApp number in WHATSAPP_*: admins connect their numbers under Settings → WhatsApp");
} else if (config.whatsappMissing.length > 0) {
  app.logger.warn(`The WHATSAPP_* number is incomplete: set ${config.whatsappMissing.join(", ")}, or connect it under Settings → WhatsApp`);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    app.logger.info(`${signal}: shutting down`);
    await app.stop();
    process.exit(0);
  });
}
