/**
 * The WhatsApp numbers, as data: which numbers a workspace has connected (the first is its
 * default), and for each number a Cloud API client bound to it and built with its own access
 * token. Sending, read receipts, reactions, templates and media all get their client here.
 * Clients and lists are cached; a connect or disconnect on any instance drops them everywhere
 * (the `numberChanged` topic), and entries expire anyway in case an event was missed.
 */
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { ExpectedError } from "../errors.ts";
import type { WhatsAppPhoneNumber } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import type { NumberChange } from "../realtime/events.ts";
import { publishNumberChange, type InboxPubSub } from "../realtime/pubsub.ts";
import { SecretUnreadableError, type SecretBox } from "../secrets/secrets.ts";
import { createCloudApi, type CloudApi } from "../whatsapp/cloud-api.ts";

/**
 * How long a cached client or list is used without asking the database again: a bound on how
 * stale an instance can be should it miss a `numberChanged` event. @default 60 s
 */
export const NUMBER_CACHE_TTL_MS = 60_000;

/** Meta's throughput levels, in messages per second. */
const THROUGHPUT_LEVELS: Record<string, number> = { STANDARD: 80, HIGH: 1_000 };

/**
 * Messages per second Meta lets a number send: 20 for a number also on the WhatsApp Business app
 * (coexistence), whatever its level; else its throughput level's (80 at STANDARD, 1,000 at HIGH).
 * A level never asked of Meta (the WHATSAPP_* bootstrap number) or NOT_APPLICABLE limits nothing:
 * WHATSAPP_SEND_RATE_PER_SECOND, set by the operator, is the limit then.
 */
export function throughputOf(number: Pick<WhatsAppPhoneNumber, "throughputLevel" | "coexistence">): number {
  if (number.coexistence) return 20;
  return THROUGHPUT_LEVELS[number.throughputLevel ?? ""] ?? Infinity;
}

/** Where an admin connects numbers; said wherever WhatsApp is not ready. */
export const CONNECT_A_NUMBER = "an admin connects a number under Settings → WhatsApp";

/** Refused because the workspace has no connected number (or this number cannot be used now). */
export class WhatsAppNotConfiguredError extends ExpectedError {
  override name = "WhatsAppNotConfiguredError";
  readonly code = "WHATSAPP_NOT_CONFIGURED";
  readonly httpStatus = 503;
  constructor(
    /** Environment variables to set; empty since numbers are connected in the product. */
    readonly missing: string[] = [],
    message = `WhatsApp is not configured: ${CONNECT_A_NUMBER}`,
  ) {
    super(message);
  }

  override answerFields() {
    return { missing: this.missing };
  }
}

export interface WhatsAppStatus {
  configured: boolean;
  missing: string[];
  message: string;
}

export interface NumberDirectoryDependencies {
  db: Database;
  config: Config;
  pubsub: InboxPubSub;
  secrets: SecretBox;
  logger: Logger;
}

/** What a client is built from: a number, its business account and a token. */
export interface NumberCredentials {
  phoneNumberId: string;
  businessAccountId?: string | null;
  token: string;
}

export function createNumberDirectory(deps: NumberDirectoryDependencies) {
  const { db, config, secrets, logger } = deps;
  const clients = new Map<string, { client: Promise<CloudApi>; expiresAt: number }>();
  const lists = new Map<string, { numbers: Promise<WhatsAppPhoneNumber[]>; expiresAt: number }>();
  const rates = new Map<string, { rate: Promise<number>; expiresAt: number }>();

  function forgetLocally({ phoneNumberId, workspaceId }: NumberChange) {
    clients.delete(phoneNumberId);
    rates.delete(phoneNumberId);
    lists.delete(workspaceId);
  }
  const changes = deps.pubsub.subscribe("numberChanged");
  const listening = (async () => {
    for await (const change of changes) forgetLocally(change);
  })();

  /** A client for these credentials, whether stored yet or not (connecting checks a token first). */
  function clientFor({ phoneNumberId, businessAccountId, token }: NumberCredentials): CloudApi {
    return createCloudApi({
      baseUrl: config.WHATSAPP_API_BASE_URL,
      version: config.WHATSAPP_API_VERSION,
      token,
      phoneNumberId,
      businessAccountId: businessAccountId ?? undefined,
      timeoutMs: config.WHATSAPP_API_TIMEOUT_MS,
    });
  }

  /**
   * The number's token: its sealed one, else — for the WHATSAPP_* bootstrap number — WHATSAPP_TOKEN,
   * which stays in the environment (rotating it there and restarting keeps working as before).
   */
  function tokenOf(number: WhatsAppPhoneNumber): string | null {
    if (number.accessTokenSealed) return secrets.open(number.accessTokenSealed, number.phoneNumberId);
    return number.phoneNumberId === config.WHATSAPP_PHONE_ID ? (config.WHATSAPP_TOKEN ?? null) : null;
  }

  async function buildClient(phoneNumberId: string): Promise<CloudApi> {
    const number = await db.whatsAppPhoneNumber.findUnique({ where: { phoneNumberId } });
    if (!number || number.status !== "CONNECTED") {
      throw new WhatsAppNotConfiguredError([], `WhatsApp number ${phoneNumberId} is not connected: ${CONNECT_A_NUMBER}`);
    }
    let token: string | null;
    try {
      token = tokenOf(number);
    } catch (error) {
      if (!(error instanceof SecretUnreadableError)) throw error;
      // The key changed or the row was altered: say so once per attempt, never with the token.
      logger.error({ phoneNumberId }, `The access token of WhatsApp number ${phoneNumberId} cannot be opened with this server's secrets key`);
      token = null;
    }
    if (!token) throw new WhatsAppNotConfiguredError([], `WhatsApp number ${phoneNumberId} has no usable access token: reconnect it under Settings → WhatsApp`);
    return clientFor({ phoneNumberId, businessAccountId: number.businessAccountId, token });
  }

  /** The workspace's connected numbers, oldest first: the first is its default. */
  function numbersOf(workspaceId: string): Promise<WhatsAppPhoneNumber[]> {
    const cached = lists.get(workspaceId);
    if (cached && cached.expiresAt > Date.now()) return cached.numbers;
    const numbers = db.whatsAppPhoneNumber.findMany({ where: { workspaceId, status: "CONNECTED" }, orderBy: [{ createdAt: "asc" }, { phoneNumberId: "asc" }] });
    lists.set(workspaceId, { numbers, expiresAt: Date.now() + NUMBER_CACHE_TTL_MS });
    numbers.catch(() => lists.delete(workspaceId));
    return numbers;
  }

  function usable(number: WhatsAppPhoneNumber) {
    return !!number.accessTokenSealed || (number.phoneNumberId === config.WHATSAPP_PHONE_ID && !!config.WHATSAPP_TOKEN);
  }

  const directory = {
    clientFor,
    numbersOf,

    /** The Cloud API client bound to this number, with its token; WhatsAppNotConfiguredError when it cannot send. */
    cloudApiFor(phoneNumberId: string): Promise<CloudApi> {
      const cached = clients.get(phoneNumberId);
      if (cached && cached.expiresAt > Date.now()) return cached.client;
      const client = buildClient(phoneNumberId);
      clients.set(phoneNumberId, { client, expiresAt: Date.now() + NUMBER_CACHE_TTL_MS });
      // A refusal is not cached: the next attempt sees a number connected meanwhile.
      client.catch(() => clients.delete(phoneNumberId));
      return client;
    },

    /**
     * The workspace's connected numbers that have a token to send with, first first: what a send
     * may leave from. No database read while the list is cached, so every send can ask.
     */
    async sendableNumbersOf(workspaceId: string): Promise<string[]> {
      return (await numbersOf(workspaceId)).filter(usable).map((number) => number.phoneNumberId);
    },

    /** The workspace's default number (its first connected one that has a token), or null. */
    async defaultNumberOf(workspaceId: string): Promise<WhatsAppPhoneNumber | null> {
      return (await numbersOf(workspaceId)).find(usable) ?? null;
    },

    /** What this number may send per second ({@link throughputOf}); a number not stored yet, Meta's default. Cached like clients. */
    sendRateOf(phoneNumberId: string): Promise<number> {
      const cached = rates.get(phoneNumberId);
      if (cached && cached.expiresAt > Date.now()) return cached.rate;
      const rate = db.whatsAppPhoneNumber
        .findUnique({ where: { phoneNumberId }, select: { throughputLevel: true, coexistence: true } })
        .then((number) => throughputOf(number ?? { throughputLevel: null, coexistence: false }));
      rates.set(phoneNumberId, { rate, expiresAt: Date.now() + NUMBER_CACHE_TTL_MS });
      rate.catch(() => rates.delete(phoneNumberId));
      return rate;
    },

    /** The default number's client: for what is the workspace's rather than a number's (templates, uploads). */
    async cloudApiOfWorkspace(workspaceId: string): Promise<CloudApi> {
      const number = await directory.defaultNumberOf(workspaceId);
      if (!number) throw new WhatsAppNotConfiguredError();
      return directory.cloudApiFor(number.phoneNumberId);
    },

    /** Whether this number is one of the workspace's connected numbers. */
    async isConnectedTo(workspaceId: string, phoneNumberId: string | null | undefined): Promise<boolean> {
      return !!phoneNumberId && (await numbersOf(workspaceId)).some((number) => number.phoneNumberId === phoneNumberId);
    },

    async status(workspaceId: string): Promise<WhatsAppStatus> {
      if (await directory.defaultNumberOf(workspaceId)) return { configured: true, missing: [], message: "WhatsApp is configured and ready to use" };
      return { configured: false, missing: [], message: `WhatsApp is not configured: ${CONNECT_A_NUMBER}` };
    },

    /** Refuses with WhatsAppNotConfiguredError unless the workspace has a number to send from. */
    async requireConfigured(workspaceId: string): Promise<void> {
      if (!(await directory.defaultNumberOf(workspaceId))) throw new WhatsAppNotConfiguredError();
    },

    /** The token as stored: sealed for this number's row only. */
    seal(phoneNumberId: string, token: string): string {
      return secrets.seal(token, phoneNumberId);
    },

    /** After a committed connect or disconnect: this instance and every other forget the number. */
    changed(change: NumberChange) {
      forgetLocally(change);
      publishNumberChange(deps.pubsub, change);
    },

    async close() {
      await changes.return?.();
      await listening;
    },
  };
  return directory;
}

export type NumberDirectory = ReturnType<typeof createNumberDirectory>;
