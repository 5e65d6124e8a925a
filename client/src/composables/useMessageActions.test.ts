import { flushPromises } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { chatMessage } from "../testing/fixtures.ts";
import { fakeGraphQLServer, withSetup } from "../testing/harness.ts";
import { TYPING_INTERVAL_MS, useReactions, useTypingIndicator } from "./useMessageActions.ts";

describe("useTypingIndicator", () => {
  it("asks for “typing…” on the first keystroke, then at most once per interval", async () => {
    const server = fakeGraphQLServer(() => ({ sendTypingIndicator: { __typename: "MutationSendTypingIndicatorSuccess" } }));
    let now = 1_000_000;
    const { result } = withSetup(() => useTypingIndicator(() => "conv-1", () => true, () => now), { client: server.client });
    result.typed();
    result.typed();
    now += TYPING_INTERVAL_MS - 1;
    result.typed();
    now += 1;
    result.typed();
    await flushPromises();
    expect(server.requests.map((request) => [request.operationName, request.variables])).toEqual([
      ["SendTypingIndicator", { conversationId: "conv-1" }],
      ["SendTypingIndicator", { conversationId: "conv-1" }],
    ]);
  });

  it("asks nothing when the window is closed or the customer never wrote", async () => {
    const server = fakeGraphQLServer(() => ({}));
    const { result } = withSetup(() => useTypingIndicator(() => "conv-1", () => false), { client: server.client });
    result.typed();
    await flushPromises();
    expect(server.requests).toEqual([]);
  });
});

describe("useReactions", () => {
  it("hands the reacted message back to the chat, and keeps a refusal's reason", async () => {
    const reacted = chatMessage({ reactions: [{ emoji: "👍", direction: "OUTBOUND" }] });
    let answer: unknown = { __typename: "MutationReactToMessageSuccess", reactedMessage: reacted };
    const server = fakeGraphQLServer(() => ({ reactToMessage: answer }));
    const stored: unknown[] = [];
    const { result } = withSetup(() => useReactions((message) => stored.push(message)), { client: server.client });
    await result.react({ id: "m1" }, "👍");
    expect(server.requests[0]?.variables).toEqual({ messageId: "m1", emoji: "👍" });
    expect(stored).toEqual([reacted]);
    answer = { __typename: "WindowClosedError", message: "The 24-hour customer-service window is closed: send an approved template instead" };
    await result.react({ id: "m1" }, "❤️");
    expect(result.error.value).toMatch(/window is closed/);
  });
});
