/**
 * Realistic, signed Meta webhook deliveries (../shared/whatsapp-cloud-api.md's format): 1–20 items
 * per POST — text, image, document, voice, location messages from several customers, and delivery
 * statuses of messages the business sent — every wamid unique. Deterministic for a given seed.
 */
import { signPayload } from "../../server/whatsapp/signature.ts";
import { APP_SECRET, BUSINESS_ACCOUNT_ID, DISPLAY_PHONE_NUMBER, PHONE_NUMBER_ID } from "../fixtures.ts";

export interface DeliveryPlan {
  /** Prefix of every wamid in this plan: `wamid.bench.<runTag>.<n>` (unique per run). */
  runTag: string;
  seed: number;
  /** wa_ids of the customers writing. */
  customers: string[];
  /** wamids of outbound messages stored beforehand, whose statuses some items carry. */
  statusTargets: string[];
  minItems: number;
  maxItems: number;
  /** Share of items that are statuses rather than messages. */
  statusShare: number;
}

export interface Delivery {
  body: string;
  signature: string;
  /** wamids of the inbound messages it carries. */
  wamids: string[];
  statuses: number;
}

/** mulberry32: small, fast, good enough to pick payload shapes. */
export function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (low: number, high: number) => low + Math.floor(next() * (high - low + 1)), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]! };
}
type Random = ReturnType<typeof randomSource>;

const TEXTS = [
  "Namaste, is the blue kurta available in size M?",
  "Order #48213 kab tak deliver hoga?",
  "Thanks! Payment done via UPI 🙏",
  "Can you share the invoice for last month please",
  "Hi, I want to return the shoes, they are too small",
  "Kya aap COD accept karte ho?",
  "ok",
  "Please call me after 6 pm",
  "The delivery boy did not come today 😞",
  "What is the price of the 5 kg pack?",
];
const NAMES = ["Priya Sharma", "Ravi Kumar", "Asha Patel", "Vikram Singh", "Neha Gupta", "Arjun Reddy", "Meera Iyer", "Rahul Verma"];

function media(random: Random, mimeType: string, extra: Record<string, unknown> = {}) {
  return { id: String(random.int(10 ** 14, 10 ** 15)), mime_type: mimeType, sha256: "3b5f0a3c1c1c9b1c8f3a3e1f1b9e8c7d6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d", ...extra };
}

function message(random: Random, from: string, id: string, timestamp: string) {
  const base = { from, id, timestamp };
  const roll = random.next();
  if (roll < 0.65) return { ...base, type: "text", text: { body: random.pick(TEXTS) } };
  if (roll < 0.8) return { ...base, type: "image", image: media(random, "image/jpeg", { caption: "Is this the right one?" }) };
  if (roll < 0.88) return { ...base, type: "document", document: media(random, "application/pdf", { filename: `invoice-${random.int(1000, 9999)}.pdf` }) };
  if (roll < 0.95) return { ...base, type: "audio", audio: media(random, "audio/ogg; codecs=opus", { voice: true }) };
  return { ...base, type: "location", location: { latitude: 19.076, longitude: 72.8777, name: "Gateway of India", address: "Apollo Bandar, Mumbai" } };
}

/** Serialised as Meta does (non-ASCII as \uXXXX, `/` as `\/`) and signed over exactly those bytes. */
export function signed(payload: unknown): { body: string; signature: string } {
  const body = JSON.stringify(payload)
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/\//g, "\\/");
  return { body, signature: signPayload(body, APP_SECRET) };
}

function envelope(changes: unknown[]) {
  return { object: "whatsapp_business_account", entry: [{ id: BUSINESS_ACCOUNT_ID, changes }] };
}

const metadata = { display_phone_number: DISPLAY_PHONE_NUMBER, phone_number_id: PHONE_NUMBER_ID };

/** `count` deliveries of the plan, numbered from `first` (so that a plan can be cut into batches). */
export function makeDeliveries(plan: DeliveryPlan, count: number, first = 0): Delivery[] {
  const random = randomSource(plan.seed + first);
  const deliveries: Delivery[] = [];
  const timestamp = String(Math.floor(Date.now() / 1000));
  for (let index = first; index < first + count; index++) {
    const items = random.int(plan.minItems, plan.maxItems);
    const messages: Array<ReturnType<typeof message>> = [];
    const statuses: Array<{ id: string; status: string; timestamp: string; recipient_id: string }> = [];
    for (let item = 0; item < items; item++) {
      if (plan.statusTargets.length > 0 && random.next() < plan.statusShare) {
        statuses.push({ id: random.pick(plan.statusTargets), status: random.next() < 0.6 ? "delivered" : "read", timestamp, recipient_id: random.pick(plan.customers) });
      } else {
        messages.push(message(random, random.pick(plan.customers), `wamid.bench.${plan.runTag}.${index}.${item}`, timestamp));
      }
    }
    const changes: unknown[] = [];
    if (messages.length > 0) {
      const senders = [...new Set(messages.map((entry) => entry.from))];
      changes.push({
        field: "messages",
        value: { messaging_product: "whatsapp", metadata, contacts: senders.map((waId) => ({ profile: { name: NAMES[Number(waId) % NAMES.length] }, wa_id: waId })), messages },
      });
    }
    if (statuses.length > 0) changes.push({ field: "messages", value: { messaging_product: "whatsapp", metadata, statuses } });
    deliveries.push({ ...signed(envelope(changes)), wamids: messages.map((entry) => entry.id), statuses: statuses.length });
  }
  return deliveries;
}

/** One customer text: what the push and polling scenarios time from POST to screen. */
export function textDelivery(from: string, wamid: string, text: string): Delivery {
  const payload = envelope([
    {
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata,
        contacts: [{ profile: { name: "Bench Customer" }, wa_id: from }],
        messages: [{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }],
      },
    },
  ]);
  return { ...signed(payload), wamids: [wamid], statuses: 0 };
}
