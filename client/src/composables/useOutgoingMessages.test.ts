import { flushPromises } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { shallowRef } from "vue";
import type { ChatMessageFragment } from "../graphql/generated/graphql.ts";
import { chatMessage } from "../testing/fixtures.ts";
import { deferred, fakeGraphQLServer, withSetup } from "../testing/harness.ts";
import { useOutgoingMessages } from "./useOutgoingMessages.ts";

function sendSuccess(message: ChatMessageFragment) {
  return {
    sendWhatsApp: {
      __typename: "SendWhatsAppSuccess",
      message: "Message sent successfully",
      messageId: message.wamid,
      queued: false,
      recipient: "Priya",
      phone: "+919876543210",
      whatsAppMessage: message,
    },
  };
}

function setUp(respond: (variables: Record<string, unknown>) => unknown) {
  const server = fakeGraphQLServer((_operation, variables) => respond(variables));
  const stored = shallowRef<ChatMessageFragment[]>([]);
  const events = { stored: [] as Array<ChatMessageFragment | null>, windowClosed: 0 };
  const { result } = withSetup(
    () =>
      useOutgoingMessages(() => ({ phoneNumber: "+919876543210" }), stored, {
        stored: (message) => events.stored.push(message),
        windowClosed: () => events.windowClosed++,
      }),
    { client: server.client },
  );
  const keys = () => server.requests.map((request) => (request.variables.input as { idempotencyKey: string }).idempotencyKey);
  return { outgoing: result, stored, events, keys };
}

describe("useOutgoingMessages", () => {
  it("shows a sending draft at once, replaced by the stored message when it arrives", async () => {
    const answer = deferred<unknown>();
    const { outgoing, stored } = setUp(() => answer.promise);
    const sending = outgoing.send("On its way");
    await flushPromises();
    expect(outgoing.pending.value.map((draft) => [draft.text, draft.state])).toEqual([["On its way", "sending"]]);

    // The push of the stored (PENDING) message usually comes before the mutation's answer.
    stored.value = [chatMessage({ id: "m1", direction: "OUTBOUND", status: "PENDING", text: "On its way" })];
    expect(outgoing.pending.value).toEqual([]);
    answer.resolve(sendSuccess(chatMessage({ id: "m1", direction: "OUTBOUND", status: "SENT", text: "On its way" })));
    await sending;
    expect(outgoing.pending.value).toEqual([]);
  });

  it("retries a message Meta refused as a new message, with a new idempotency key", async () => {
    const { outgoing, keys } = setUp(() => sendSuccess(chatMessage({ id: "m2", direction: "OUTBOUND", status: "SENT", text: "Hello" })));
    const refused = chatMessage({ id: "m1", direction: "OUTBOUND", status: "FAILED", text: "Hello", errorCode: 131026 });
    await outgoing.send("Hello");
    await outgoing.retryStored(refused);
    expect(keys()).toHaveLength(2);
    expect(keys()[1]).not.toBe(keys()[0]);
    expect(outgoing.retried.value.has("m1")).toBe(true);
  });

  it("retries a send that got no answer with the same key, so that it can never be sent twice", async () => {
    let answered = false;
    const { outgoing, keys, events } = setUp(() => (answered ? sendSuccess(chatMessage({ id: "m1", direction: "OUTBOUND", status: "SENT", text: "Hi" })) : null));
    await outgoing.send("Hi");
    const [draft] = outgoing.pending.value;
    expect(draft?.state).toBe("failed");
    answered = true;
    await outgoing.retryDraft(draft!);
    expect(keys()[1]).toBe(keys()[0]);
    expect(outgoing.pending.value).toEqual([]);
    expect(events.stored.at(-1)?.id).toBe("m1");
  });

  it("keeps a draft refused for the closed window, with the reason, and says the window closed", async () => {
    const { outgoing, events } = setUp(() => ({ sendWhatsApp: { __typename: "WindowClosedError", message: "closed", closedAt: null } }));
    await outgoing.send("Hello again");
    expect(events.windowClosed).toBe(1);
    expect(outgoing.pending.value[0]?.reason).toContain("approved template");
  });
});
