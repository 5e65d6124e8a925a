/** What the simulator remembers between requests, and the timers it owns. */
import type { SendMessageRequest, MessageTemplate } from "../whatsapp/cloud-api.ts";

/** How status webhooks for accepted messages behave. */
export type StatusMode =
  /** sent → delivered → read, once each, in order. */
  | "normal"
  /** none at all. */
  | "drop"
  /** each one twice (Meta delivers at least once). */
  | "duplicate"
  /** in reverse: read, then delivered, then sent. */
  | "reorder";

/** Where a refusal for the window (131047) or an unreachable number (131026) shows up. */
export type RefusalsAt =
  /** as the synchronous error answer to the send (the default). */
  | "request"
  /** as a 200 answer, then a `failed` status webhook — as Meta often does in production. */
  | "status";

export interface StatusDelaysMs {
  /** After acceptance, when `sent` (or `failed`) is reported. */
  sent: number;
  /** After acceptance, when `delivered` is reported. */
  delivered: number;
  /** After acceptance, when `read` is reported. */
  read: number;
}

export interface Settings {
  webhookUrl: string;
  messagesPerSecond: number;
  statusDelaysMs: StatusDelaysMs;
  statusMode: StatusMode;
  refusalsAt: RefusalsAt;
  /** The number is also on the WhatsApp Business app (coexistence): 20 messages/s, echoes, history. */
  coexistence: boolean;
}

/** A forced failure for the next `remaining` sends (message sends only, not read receipts). */
export type ForcedFailure =
  | { kind: "meta"; code: number; at: "request" | "status"; remaining: number }
  | { kind: "http"; status: number; remaining: number }
  | { kind: "timeout"; hangMs: number; remaining: number }
  | { kind: "slow"; delayMs: number; remaining: number }
  | { kind: "lateAnswer"; delayMs: number; remaining: number };

/**
 * A business phone number the simulated Meta knows: its own access token (a System User token of
 * its business account) and what `GET /{phone-number-id}` tells about it.
 */
export interface SimulatedNumber {
  phoneNumberId: string;
  businessAccountId: string;
  token: string;
  /** Digits, as webhooks' `metadata.display_phone_number` show it. */
  displayPhoneNumber: string;
  verifiedName: string;
  /** GREEN, YELLOW, RED, NA or UNKNOWN. */
  qualityRating: string;
  /** STANDARD, HIGH or NOT_APPLICABLE. */
  throughputLevel: string;
  /** TIER_250, TIER_1K, TIER_2K, TIER_10K, TIER_100K or TIER_UNLIMITED. */
  messagingLimitTier: string;
  /** Whether sends are held to the tier (off unless a test asks: demos and benchmarks send freely). */
  enforceMessagingLimit: boolean;
  /** Also used in the WhatsApp Business app (coexistence). */
  isOnBizApp: boolean;
}

/** An outgoing message the simulated Cloud API accepted (answered 200). */
export interface SentMessage {
  wamid: string;
  /** The business number it was sent from: the phone number id of the request's URL. */
  phoneNumberId: string;
  to: string;
  type: string;
  /** The text of a text message, the template name, the media caption — for quick assertions. */
  body: string | null;
  /** The request body exactly as received (parsed JSON). */
  request: SendMessageRequest;
  /** Arrival time, ms since the epoch: the throughput limit counts these. */
  atMs: number;
  at: string;
}

/** Every request that reached a Graph API route, refused or not. */
export interface GraphRequestRecord {
  method: string;
  path: string;
  /** Parsed JSON body; null for GET, multipart and unreadable bodies. */
  body: unknown;
  httpStatus: number;
  /** Meta's error code when refused. */
  errorCode: number | null;
  atMs: number;
}

export type DeliveryKind = "status" | "message" | "raw" | "coexistence";

/** One POST to the product's webhook URL. */
export interface WebhookAttempt {
  deliveryId: number;
  kind: DeliveryKind;
  /** 1 for the first try, 2 for the first retry… */
  attempt: number;
  atMs: number;
  /** The product's HTTP status; null when the request failed or timed out. */
  httpStatus: number | null;
  error: string | null;
  /** The exact bytes sent, as text. */
  body: string;
  /** The X-Hub-Signature-256 header sent; null when left out on purpose. */
  signature: string | null;
}

export interface StoredMedia {
  bytes: Buffer;
  mimeType: string;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  filename: string | null;
  /** The number that uploaded it: only that number may send it (as on Meta). Unset for media customers sent. */
  uploadedBy?: string;
}

export interface SimulatorState {
  settings: Settings;
  /** Every business number, by phone number id: the one the simulator started with first. */
  numbers: Map<string, SimulatedNumber>;
  /** Business accounts whose webhooks the app subscribed to (`POST /{waba-id}/subscribed_apps`). */
  subscribedAccounts: Set<string>;
  /** The templates of every business account that has none of its own in `accountTemplates`. */
  templates: readonly MessageTemplate[];
  /** Business accounts given templates of their own (`setTemplates(templates, businessAccountId)`), by WABA id. */
  accountTemplates: Map<string, readonly MessageTemplate[]>;
  /** wa_id → when the customer last wrote (ms since the epoch). */
  lastInboundAtMs: Map<string, number>;
  notOnWhatsApp: Set<string>;
  /** Customers (wa_ids) the business blocked through `POST /block_users`. */
  blocked: Set<string>;
  /** Business account → customer → when a business-initiated message first reached them (messaging limits). */
  reachedByAccount: Map<string, Map<string, number>>;
  failures: ForcedFailure[];
  sent: SentMessage[];
  requests: GraphRequestRecord[];
  attempts: WebhookAttempt[];
  media: Map<string, StoredMedia>;
  /** HTTP errors for the next media file downloads (Meta's CDN failing), each `remaining` times. */
  mediaFailures: Array<{ status: number; remaining: number }>;
  nextDeliveryId: number;
}

/**
 * Timers and in-flight requests the simulator started, so that reset() and stop() leave nothing
 * behind: pending status webhooks, webhook retries and hanging answers are all cancelled at once.
 */
export class Scheduler {
  private timers = new Set<NodeJS.Timeout>();
  private controller = new AbortController();
  /** Bumped by cancelAll(): work started before it must not touch the state after it. */
  generation = 0;

  /** Aborted on cancelAll(): pass it to outgoing requests. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  after(delayMs: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, delayMs);
    this.timers.add(timer);
  }

  /** Resolves after `delayMs`, or early when everything is cancelled. */
  sleep(delayMs: number): Promise<void> {
    const signal = this.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
      this.after(delayMs, resolve);
    });
  }

  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.controller.abort();
    this.controller = new AbortController();
    this.generation += 1;
  }
}

export function digitsOnly(phone: string): string {
  return phone.replace(/\D/g, "");
}

/** The templates of this business account (WABA): its own when it was given some, else the shared list. */
export function templatesOf(state: Pick<SimulatorState, "templates" | "accountTemplates">, businessAccountId: string | undefined): readonly MessageTemplate[] {
  return (businessAccountId !== undefined ? state.accountTemplates.get(businessAccountId) : undefined) ?? state.templates;
}
