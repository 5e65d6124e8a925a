/**
 * `npm run demo`: the product wired to the local Cloud API simulator, for trying every flow
 * without Meta credentials — sending, ticks turning blue, customers replying. Uses its own
 * database (data/demo.db) so that demo conversations never mix with real ones.
 */
import { buildApp } from "./app.ts";
import { loadConfigOrExit } from "./config.ts";
import { createSimulator } from "./simulator/simulator.ts";

const SIMULATOR_PORT = Number(process.env.SIMULATOR_PORT ?? 4010);
const DEMO = {
  WHATSAPP_TOKEN: "demo-access-token",
  WHATSAPP_PHONE_ID: "100000000000001",
  WHATSAPP_BUSINESS_ACCOUNT_ID: "200000000000001",
  WHATSAPP_APP_SECRET: "demo-app-secret",
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: "demo-verify-token",
  DATABASE_URL: "file:./data/demo.db",
  ADMIN_EMAIL: "demo@bharat-crm.local",
  ADMIN_PASSWORD: "demo-password",
};
// Demo values fill in only what the environment leaves unset; WhatsApp always goes to the simulator.
for (const [name, value] of Object.entries(DEMO)) process.env[name] ||= value;

const config = loadConfigOrExit();
const simulator = createSimulator({
  token: config.WHATSAPP_TOKEN!,
  phoneNumberId: config.WHATSAPP_PHONE_ID!,
  businessAccountId: config.WHATSAPP_BUSINESS_ACCOUNT_ID!,
  appSecret: config.WHATSAPP_APP_SECRET!,
  webhookUrl: `http://127.0.0.1:${config.PORT}/api/whatsapp/webhook`,
});
const simulatorUrl = await simulator.start(SIMULATOR_PORT, "127.0.0.1");
const app = await buildApp({ ...config, WHATSAPP_API_BASE_URL: simulatorUrl });
const url = await app.start();

await simulator.sendInbound({ from: "919876543210", name: "Priya Sharma", type: "text", text: "Hello! Is my order shipped?" });

app.logger.info(`Demo running on ${url} — log in as ${config.ADMIN_EMAIL} / ${process.env.ADMIN_PASSWORD === DEMO.ADMIN_PASSWORD ? DEMO.ADMIN_PASSWORD : "(your ADMIN_PASSWORD)"}`);
app.logger.info(
  `Simulated WhatsApp at ${simulatorUrl}. A customer writes: curl -X POST ${simulatorUrl}/_simulator/inbound ` +
    `-H 'content-type: application/json' -d '{"from":"919876543210","name":"Priya Sharma","type":"text","text":"Thanks!"}'`,
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    await app.stop();
    await simulator.stop();
    process.exit(0);
  });
}
