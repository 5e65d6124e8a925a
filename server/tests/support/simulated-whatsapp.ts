// The product wired to our Cloud API simulator, as `npm run demo` wires them: both on real ports.
import { spawn } from "node:child_process";
import { createSimulator, type Simulator, type SimulatorOptions } from "../../simulator/simulator.ts";
import { createCloudApi } from "../../whatsapp/cloud-api.ts";
import { startTestServer, type TestServer } from "./harness.ts";
import { TEST_APP_SECRET, TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "./webhook-fixtures.ts";

export const SIMULATOR_TOKEN = "simulated-access-token-0123456789";

export interface SimulatedWhatsApp {
  server: TestServer;
  simulator: Simulator;
  /** The environment the server was started with: to start another instance like it. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startWithSimulator(
  env: Record<string, string> = {},
  simulatorOptions: Partial<SimulatorOptions> = {},
): Promise<SimulatedWhatsApp> {
  const simulator = createSimulator({
    token: SIMULATOR_TOKEN,
    phoneNumberId: TEST_PHONE_NUMBER_ID,
    businessAccountId: TEST_WABA_ID,
    appSecret: TEST_APP_SECRET,
    // The product's port is known only once it listens: configured below.
    webhookUrl: "http://127.0.0.1:9/not-started-yet",
    statusDelaysMs: { sent: 30, delivered: 60, read: 90 },
    ...simulatorOptions,
  });
  const simulatorUrl = await simulator.start(0, "127.0.0.1");
  const serverEnv = {
    WHATSAPP_TOKEN: SIMULATOR_TOKEN,
    WHATSAPP_PHONE_ID: TEST_PHONE_NUMBER_ID,
    WHATSAPP_BUSINESS_ACCOUNT_ID: TEST_WABA_ID,
    WHATSAPP_APP_SECRET: TEST_APP_SECRET,
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "verify-me",
    WHATSAPP_API_BASE_URL: simulatorUrl,
    OUTBOX_RETRY_BASE_MS: "100",
    WHATSAPP_API_TIMEOUT_MS: "1000",
    ...env,
  };
  const server = await startTestServer(serverEnv);
  simulator.configure({ webhookUrl: `${server.url}/api/whatsapp/webhook` });
  return {
    server,
    simulator,
    env: { ...serverEnv, DATABASE_URL: server.app.config.DATABASE_URL },
    async stop() {
      await simulator.stop();
      await server.stop();
    },
  };
}

export { eventually } from "./eventually.ts";

/**
 * The simulator in a process of its own, as Meta is: what it measures (arrival times for the
 * throughput limit) is then not skewed by the product's work on the same event loop.
 */
export async function startSimulatorProcess(webhookUrl: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "server/simulator/main.ts"], {
    env: {
      ...process.env,
      SIMULATOR_PORT: "0",
      SIMULATOR_WEBHOOK_URL: webhookUrl,
      WHATSAPP_TOKEN: SIMULATOR_TOKEN,
      WHATSAPP_PHONE_ID: TEST_PHONE_NUMBER_ID,
      WHATSAPP_BUSINESS_ACCOUNT_ID: TEST_WABA_ID,
      WHATSAPP_APP_SECRET: TEST_APP_SECRET,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("The simulator did not start within 20 s")), 20_000);
    child.stdout.on("data", (chunk: Buffer) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`The simulator exited with ${code}`)));
  });
  return {
    url,
    async control<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${url}/_simulator${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`Simulator control ${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
