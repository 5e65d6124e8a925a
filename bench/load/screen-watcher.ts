/**
 * Load generator (its own process) for the polling contrast: what an agent's screen would show,
 * three ways at once — the guide's pollers (every 3 s, every 5 s: the newest page of the open chat)
 * and one push subscriber to the same chat. Records when each first saw each message text.
 */
import { WebSocket } from "ws";
import { epochNow } from "../processes.ts";
import { CONVERSATION_MESSAGE_ADDED_SUBSCRIPTION, MESSAGES_PAGE_SIZE, MESSAGES_QUERY } from "./documents.ts";
import { graphql, keepAliveAgent } from "./http.ts";
import { serveRpc, type NoParams } from "./ipc.ts";

export interface WatchParams {
  url: string;
  wsUrl: string;
  token: string;
  conversationId: string;
  intervalsMs: number[];
  /** Only texts starting with this are recorded. */
  prefix: string;
}

type Seen = Record<string, number>;
const seenByPush: Seen = {};
const seenByPoll: Record<number, Seen> = {};
const pollErrors: string[] = [];
const timers: NodeJS.Timeout[] = [];
let socket: WebSocket | null = null;

function subscribe(params: WatchParams): Promise<void> {
  return new Promise((resolve, reject) => {
    socket = new WebSocket(params.wsUrl, "graphql-transport-ws", { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error("The push subscriber did not connect within 30 s")), 30_000);
    socket.on("open", () => socket!.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${params.token}` } })));
    socket.on("error", reject);
    socket.on("message", (data) => {
      const at = epochNow();
      const message = JSON.parse(String(data)) as { type: string; payload?: { data?: { messageAdded?: { text?: string | null } } } };
      if (message.type === "connection_ack") {
        clearTimeout(timer);
        socket!.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: CONVERSATION_MESSAGE_ADDED_SUBSCRIPTION, variables: { conversationId: params.conversationId } } }));
        resolve();
      }
      const text = message.payload?.data?.messageAdded?.text;
      if (message.type === "next" && text?.startsWith(params.prefix) && !(text in seenByPush)) seenByPush[text] = at;
    });
  });
}

type MessagesAnswer = { messages: { edges: Array<{ node: { text: string | null } }> } };

function startPoller(params: WatchParams, intervalMs: number) {
  const seen: Seen = (seenByPoll[intervalMs] = {});
  const agent = keepAliveAgent(1);
  const url = new URL("/graphql", params.url);
  const poll = async () => {
    try {
      const answer = await graphql<MessagesAnswer>(agent, url, params.token, MESSAGES_QUERY, { conversationId: params.conversationId, last: MESSAGES_PAGE_SIZE });
      const at = epochNow();
      if (answer.errors.length > 0 || !answer.data) pollErrors.push(answer.errors[0]?.message ?? `HTTP ${answer.status}`);
      for (const { node } of answer.data?.messages.edges ?? []) {
        if (node.text?.startsWith(params.prefix) && !(node.text in seen)) seen[node.text] = at;
      }
    } catch (error) {
      pollErrors.push((error as Error).message);
    }
  };
  // A screen opened at a random moment: the phase of its polls owes nothing to the messages.
  const first = setTimeout(() => {
    void poll();
    timers.push(setInterval(() => void poll(), intervalMs));
  }, Math.random() * intervalMs);
  timers.push(first);
}

async function start(params: WatchParams) {
  await subscribe(params);
  for (const intervalMs of params.intervalsMs) startPoller(params, intervalMs);
  return { started: true };
}

async function seen(_: NoParams) {
  return { push: seenByPush, polls: seenByPoll, pollErrors };
}

async function stop(_: NoParams) {
  for (const timer of timers) clearTimeout(timer);
  socket?.terminate();
  return { stopped: true };
}

const api = { start, seen, stop };
export type ScreenWatcherApi = typeof api;
serveRpc(api);
