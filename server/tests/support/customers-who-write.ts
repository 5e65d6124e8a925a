// The setup most inbox tests share: the product wired to the simulator for the file's tests,
// and customers who have just written to the business, so the 24-hour window is open.
import { afterAll, beforeAll } from "vitest";
import { eventually, startWithSimulator, type SimulatedWhatsApp } from "./simulated-whatsapp.ts";

/** What each customer writes first, from which numbers (a 7-digit prefix; 5 digits are counted after it). */
export interface FirstMessages {
  waIdPrefix: string;
  name: string;
  text: string;
}

/**
 * Starts the product and the Cloud API simulator before the file's tests and stops them after
 * (call it at the top of a test file): what the tests reach them by.
 */
export function withSimulatedWhatsApp() {
  let whatsapp: SimulatedWhatsApp;
  beforeAll(async () => {
    whatsapp = await startWithSimulator();
  });
  afterAll(() => whatsapp.stop());
  return {
    server: () => whatsapp.server,
    simulator: () => whatsapp.simulator,
    db: () => whatsapp.server.app.db,
    /** The environment the server was started with (the number's id, its token). */
    env: () => whatsapp.env,
  };
}

/**
 * {@link withSimulatedWhatsApp}, and `customerWhoWrote`: a new customer, on a number of their
 * own, whose message has been stored — their number and conversation.
 */
export function withCustomersWhoWrite(first: FirstMessages) {
  const setup = withSimulatedWhatsApp();
  let sequence = 0;
  return {
    ...setup,
    async customerWhoWrote() {
      const waId = `${first.waIdPrefix}${String(++sequence).padStart(5, "0")}`;
      await setup.simulator().sendInbound({ from: waId, name: first.name, type: "text", text: first.text });
      const conversation = await eventually(() => setup.db().conversation.findFirst({ where: { waId } }), "the customer's conversation");
      return { waId, conversationId: conversation.id };
    },
  };
}
