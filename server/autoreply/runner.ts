/**
 * Runs after a webhook's commit, on the instance that stored it, with the messages it newly
 * received: decides each one's auto-reply (decide.ts) and sends it through the ordinary send
 * service — so the outbox, the rate limit and the 24-hour window apply as to any agent's
 * message. Never delays Meta's answer; a failure is logged and the message simply gets no reply.
 */
import { driverQuery } from "../db/driver-transaction.ts";
import { ExpectedError } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ReceivedMessage } from "../inbox/ingest.ts";
import { sendWhatsAppText, type SendDependencies } from "../inbox/send.service.ts";
import type { Logger } from "../logger.ts";
import { timeBackgroundWork } from "../step-timing.ts";
import { AiReplyError, type AiClient, type ChatTurn } from "./ai-client.ts";
import { parseBusinessHours } from "./business-hours.ts";
import { decideAutoReply, type AutoReplyRuleLike } from "./decide.ts";

export interface AutoReplyDependencies extends SendDependencies {
  logger: Logger;
  /** Null when AI_* is not configured. */
  ai: AiClient | null;
  /** @default AUTO_REPLY_AGENT_ACTIVE_MINUTES */
  agentActiveMinutes: number;
  clock?: () => Date;
}

/** How much of the conversation the AI sees. @default the last 10 messages */
export const AI_HISTORY_MESSAGES = 10;

export function aiSystemPrompt(businessName: string) {
  return (
    `You answer WhatsApp messages from customers of ${businessName} while its team is away. ` +
    "Reply briefly and politely, in the customer's language. Do not invent prices, orders or promises: " +
    "when you are not sure, say that a team member will get back to them soon."
  );
}

/** The key of the one automatic reply a message may get: the database refuses a second. */
export const autoReplyKey = (messageId: string) => `auto-reply:${messageId}`;

type WorkspaceRules = { name: string; timeZone: string; businessHours: string | null; aiRepliesEnabled: boolean; rules: AutoReplyRuleLike[] };

export function createAutoReplyRunner(deps: AutoReplyDependencies) {
  const { db, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  // One conversation's messages are answered in order: a greeting before the keyword reply.
  const queues = new Map<string, Promise<void>>();

  function enqueue(conversationId: string, work: () => Promise<void>) {
    const previous = queues.get(conversationId) ?? Promise.resolve();
    const next = previous.then(work).catch((error: Error) => logger.error({ err: error, conversationId }, "Auto-reply failed unexpectedly"));
    queues.set(conversationId, next);
    inFlight.add(next);
    void next.finally(() => {
      inFlight.delete(next);
      if (queues.get(conversationId) === next) queues.delete(conversationId);
    });
  }

  async function answer(received: ReceivedMessage, workspace: WorkspaceRules | null) {
    if (!workspace || stopping.signal.aborted) return;
    const { workspaceId, conversationId, messageId } = received;
    const key = autoReplyKey(messageId);
    const [message, answered, lastAway] = await Promise.all([
      db.whatsAppMessage.findUnique({
        where: { id: messageId },
        select: { type: true, text: true, timestamp: true, conversation: { select: { agentActiveAt: true, assigneeId: true, businessPhoneNumberId: true } } },
      }),
      db.whatsAppMessage.findUnique({ where: { workspaceId_idempotencyKey: { workspaceId, idempotencyKey: key } }, select: { id: true } }),
      db.whatsAppMessage.findFirst({ where: { conversationId, autoReply: "AWAY" }, orderBy: { timestamp: "desc" }, select: { timestamp: true } }),
    ]);
    if (!message) return;
    const earlier = await db.whatsAppMessage.findFirst({
      where: {
        conversationId,
        direction: "INBOUND",
        OR: [{ timestamp: { lt: message.timestamp } }, { timestamp: message.timestamp, id: { lt: messageId } }],
      },
      select: { id: true },
    });
    const decision = decideAutoReply({
      message,
      rules: workspace.rules,
      settings: { timeZone: workspace.timeZone, businessHours: parseBusinessHours(workspace.businessHours), aiRepliesEnabled: workspace.aiRepliesEnabled },
      conversation: {
        firstMessage: !earlier,
        alreadyAnswered: !!answered,
        agentActiveAt: message.conversation.agentActiveAt,
        assigned: !!message.conversation.assigneeId,
        lastAwayReplyAt: lastAway?.timestamp ?? null,
      },
      aiAvailable: !!deps.ai,
      agentActiveMinutes: deps.agentActiveMinutes,
      now: clock(),
    });
    if (!decision) return;

    let reply: string;
    if (decision.kind === "AI") {
      const text = await askAi(received, workspace.name);
      // The model may take seconds: an agent who stepped in meanwhile has the conversation.
      if (!text || (await agentSteppedIn(conversationId))) return;
      reply = text;
    } else {
      reply = decision.reply;
    }
    try {
      await sendWhatsAppText(deps, { workspaceId, userId: null }, { ...(received.waId ? { phoneNumber: `+${received.waId}` } : { userId: received.userId }), fromPhoneNumberId: message.conversation.businessPhoneNumberId, message: reply, idempotencyKey: key, autoReply: decision.kind });
      logger.info({ conversationId, messageId, kind: decision.kind }, `Sent an automatic reply to ${received.waId ? `+${received.waId}` : received.userId}`);
    } catch (error) {
      if (!(error instanceof ExpectedError)) throw error;
      logger.warn({ conversationId, messageId, kind: decision.kind, code: error.code, reason: error.message }, "Could not send an automatic reply");
    }
  }

  async function agentSteppedIn(conversationId: string) {
    const conversation = await db.conversation.findUnique({ where: { id: conversationId }, select: { agentActiveAt: true } });
    const since = conversation?.agentActiveAt?.getTime() ?? 0;
    return clock().getTime() - since < deps.agentActiveMinutes * 60_000;
  }

  async function askAi(received: ReceivedMessage, businessName: string): Promise<string | null> {
    const recent = await db.whatsAppMessage.findMany({
      where: { conversationId: received.conversationId, type: { notIn: ["reaction", "system"] } },
      orderBy: [{ timestamp: "desc" }, { id: "desc" }],
      take: AI_HISTORY_MESSAGES,
      select: { direction: true, text: true, preview: true },
    });
    const turns: ChatTurn[] = [
      { role: "system", content: aiSystemPrompt(businessName) },
      ...recent.reverse().map((message): ChatTurn => ({ role: message.direction === "INBOUND" ? "user" : "assistant", content: message.text ?? message.preview })),
    ];
    try {
      return await deps.ai!.reply(turns, stopping.signal);
    } catch (error) {
      if (!(error instanceof AiReplyError)) throw error;
      // The message is stored whatever the AI does: an agent will see it and answer.
      logger.warn({ conversationId: received.conversationId, messageId: received.messageId, status: error.status }, `AI reply skipped: ${error.message}`);
      return null;
    }
  }

  /**
   * Deliveries committed together (group commit) share one look at a workspace's rules: a load
   * under way answers every delivery that asks meanwhile.
   */
  const loading = new Map<string, Promise<WorkspaceRules | null>>();
  function sharedLoad(workspaceId: string) {
    let load = loading.get(workspaceId);
    if (!load) {
      load = loadWorkspace(workspaceId).finally(() => loading.delete(workspaceId));
      load.catch(() => {}); // reported by the queue that awaits it
      loading.set(workspaceId, load);
    }
    return load;
  }

  /** The workspace's enabled rules and settings; null when nothing could ever answer. */
  async function loadWorkspace(workspaceId: string): Promise<WorkspaceRules | null> {
    if (!(await mayAnswer(workspaceId))) return null;
    const workspace = await db.workspace.findUnique({
      where: { id: workspaceId },
      select: { name: true, timeZone: true, businessHours: true, aiRepliesEnabled: true, autoReplies: { where: { enabled: true } } },
    });
    if (!workspace) return null;
    const { autoReplies, ...settings } = workspace;
    if (autoReplies.length === 0 && !(settings.aiRepliesEnabled && deps.ai)) return null;
    return { ...settings, rules: autoReplies };
  }

  /**
   * Whether the workspace has an enabled rule, or AI replies on with AI configured. Asked on every
   * delivery, and most workspaces answer no: one statement on the driver, not Prisma's client,
   * which cost about as much as storing the delivery (issue 16).
   */
  async function mayAnswer(workspaceId: string): Promise<boolean> {
    const [workspace] = await driverQuery<{ aiRepliesEnabled: unknown; enabledRules: unknown }>(
      db,
      Prisma.sql`SELECT "aiRepliesEnabled", (SELECT COUNT(*) FROM "AutoReplyRule" WHERE "workspaceId" = ${workspaceId} AND "enabled" = ${true}) AS "enabledRules"
        FROM "Workspace" WHERE "id" = ${workspaceId}`,
    );
    if (!workspace) return false;
    // SQLite answers a boolean as 0/1, PostgreSQL as true/false; a count may come as bigint text.
    const aiReplies = workspace.aiRepliesEnabled === true || Number(workspace.aiRepliesEnabled) === 1;
    return Number(workspace.enabledRules) > 0 || (aiReplies && !!deps.ai);
  }

  return {
    /** The messages a webhook just stored; returns at once, the replies follow in the background. */
    handle(received: readonly ReceivedMessage[]) {
      if (received.length === 0 || stopping.signal.aborted) return;
      for (const message of received) {
        const workspace = sharedLoad(message.workspaceId);
        enqueue(message.conversationId, () => timeBackgroundWork("auto-reply", async () => answer(message, await workspace)));
      }
    },
    /** Resolves once every reply under way is sent or given up (tests, shutdown). */
    async idle() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    /** Takes no new work, cancels AI calls under way, and waits for sends under way. */
    async stop() {
      stopping.abort();
      await this.idle();
    },
  };
}

export type AutoReplyRunner = ReturnType<typeof createAutoReplyRunner>;
