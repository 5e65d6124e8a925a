import { CombinedError } from "@urql/vue";
import { describe, expect, it } from "vitest";
import { chatMessage } from "../testing/fixtures.ts";
import { newIdempotencyKey, toSendOutcome, useIdempotencyKey } from "./useWhatsAppSend.ts";

describe("toSendOutcome", () => {
  it("confirms a send with the server's sentence and Meta's message id", () => {
    const message = chatMessage({ direction: "OUTBOUND", status: "SENT", wamid: "wamid.ABC" });
    const outcome = toSendOutcome({
      __typename: "SendWhatsAppSuccess",
      message: "Message sent successfully",
      messageId: "wamid.ABC",
      queued: false,
      recipient: "Priya Sharma",
      phone: "+919876543210",
      whatsAppMessage: message,
    });
    expect(outcome).toEqual({ kind: "sent", confirmation: "Message sent successfully", wamid: "wamid.ABC", queued: false, message });
  });

  it("says why Meta refused, with its title and code", () => {
    const outcome = toSendOutcome({
      __typename: "SendFailedError",
      message: "Failed to send message",
      title: "Message undeliverable",
      code: 131026,
      details: null,
      failedMessageId: "m9",
    });
    expect(outcome).toEqual({ kind: "failed", reason: "Failed to send message: Message undeliverable (131026)", messageId: "m9" });
  });

  it("names the missing settings when WhatsApp is not configured", () => {
    const outcome = toSendOutcome({ __typename: "WhatsAppNotConfiguredError", message: "WhatsApp is not configured", missing: ["WHATSAPP_TOKEN", "WHATSAPP_PHONE_ID"] });
    expect(outcome).toMatchObject({ kind: "notConfigured", reason: "WhatsApp is not configured: set WHATSAPP_TOKEN, WHATSAPP_PHONE_ID" });
  });

  it("says where a number is connected when no setting is missing", () => {
    const message = "WhatsApp is not configured: an admin connects a number under Settings → WhatsApp";
    expect(toSendOutcome({ __typename: "WhatsAppNotConfiguredError", message, missing: [] })).toMatchObject({ kind: "notConfigured", reason: message });
  });

  it("asks for a template when the window is closed", () => {
    expect(toSendOutcome({ __typename: "WindowClosedError", message: "closed", closedAt: null }).kind).toBe("windowClosed");
  });

  it("treats no answer as an unknown outcome, which only the same key may retry", () => {
    const outcome = toSendOutcome(undefined, new CombinedError({ networkError: new Error("offline") }));
    expect(outcome).toEqual({ kind: "unknown", reason: "Could not reach the server. Check your connection and try again." });
  });
});

describe("useIdempotencyKey", () => {
  it("keeps the key while the outcome is unknown and takes a new one once the server has answered", () => {
    const key = useIdempotencyKey();
    const first = key.current();
    key.settle({ kind: "unknown", reason: "offline" });
    expect(key.current()).toBe(first);
    key.settle({ kind: "failed", reason: "refused", messageId: "m1" });
    expect(key.current()).not.toBe(first);
  });

  it("makes a fresh random key without crypto.randomUUID, which plain-HTTP pages lack", () => {
    const randomUUID = crypto.randomUUID;
    Object.defineProperty(crypto, "randomUUID", { configurable: true, value: undefined });
    try {
      const [a, b] = [newIdempotencyKey(), newIdempotencyKey()];
      expect(a).toMatch(/^[0-9a-f]{32}$/);
      expect(a).not.toBe(b);
    } finally {
      Object.defineProperty(crypto, "randomUUID", { configurable: true, value: randomUUID });
    }
  });
});
