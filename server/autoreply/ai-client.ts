/**
 * A client for any OpenAI-compatible chat endpoint (OpenAI, Azure, a local llama.cpp or vLLM
 * server…): `POST {AI_BASE_URL}/chat/completions`. It knows nothing of our database.
 */
import type { Config } from "../config.ts";
import { TEXT_BODY_MAX_LENGTH } from "../whatsapp/cloud-api.ts";

export interface AiSettings {
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs: number;
}

/** The AI endpoint, when AI_BASE_URL, AI_API_KEY and AI_MODEL are all set; null otherwise. */
export function aiSettingsOf(config: Config): AiSettings | null {
  if (!config.AI_BASE_URL || !config.AI_API_KEY || !config.AI_MODEL) return null;
  return { baseUrl: config.AI_BASE_URL, apiKey: config.AI_API_KEY, model: config.AI_MODEL, timeoutMs: config.AI_TIMEOUT_MS };
}

export const AI_VARIABLES = ["AI_BASE_URL", "AI_API_KEY", "AI_MODEL"] as const;

export interface ChatTurn {
  role: "system" | "user" | "assistant";
  content: string;
}

/** The endpoint failed, timed out or answered something unreadable. Never carries the API key. */
export class AiReplyError extends Error {
  override name = "AiReplyError";
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** Long enough for a helpful answer, short enough for a chat bubble. @default 400 tokens */
export const AI_MAX_TOKENS = 400;

export type AiClient = ReturnType<typeof createAiClient>;

export function createAiClient(settings: AiSettings) {
  const url = `${settings.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  return {
    /** The model's answer, trimmed to what WhatsApp accepts; null when it said nothing. */
    async reply(turns: readonly ChatTurn[], signal?: AbortSignal): Promise<string | null> {
      const timeout = AbortSignal.timeout(settings.timeoutMs);
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${settings.apiKey}` },
          body: JSON.stringify({ model: settings.model, messages: turns, max_tokens: AI_MAX_TOKENS }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        const timedOut = timeout.aborted;
        throw new AiReplyError(timedOut ? `No answer within ${settings.timeoutMs} ms` : `Could not reach the AI endpoint: ${(error as Error).message}`);
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new AiReplyError(`The AI endpoint answered HTTP ${response.status}`, response.status);
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new AiReplyError("The AI endpoint answered something that is not JSON", response.status);
      }
      const content = contentOf(body);
      if (content === undefined) throw new AiReplyError("The AI endpoint's answer has no choices[0].message.content", response.status);
      const text = content.trim();
      return text ? text.slice(0, TEXT_BODY_MAX_LENGTH) : null;
    },
  };
}

function contentOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const choices = (body as { choices?: unknown }).choices;
  if (!Array.isArray(choices)) return undefined;
  const content = (choices[0] as { message?: { content?: unknown } } | undefined)?.message?.content;
  return typeof content === "string" ? content : content === null ? "" : undefined;
}
