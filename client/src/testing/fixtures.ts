// Records as the server's GraphQL answers shape them, with every field set: tests override what they are about.
import { textMessage } from "../components/inbox/messageContent.ts";
import type { ChatMessageFragment, ConversationSummaryFragment } from "../graphql/generated/graphql.ts";

export function chatMessage(overrides: Partial<ChatMessageFragment> = {}): ChatMessageFragment {
  return {
    ...textMessage({ id: "m1", wamid: "wamid.M1", conversationId: "conv-1", direction: "INBOUND", text: "Namaste", status: "RECEIVED", timestamp: "2025-11-25T10:00:00.000Z", errorTitle: null }),
    ...overrides,
  };
}

export function conversationSummary(overrides: Partial<ConversationSummaryFragment> = {}): ConversationSummaryFragment {
  return {
    id: "conv-1",
    waId: "919876543210",
    phone: "+919876543210",
    formattedPhone: "+91 98765 43210",
    userId: null,
    username: null,
    displayName: "Priya Sharma",
    profileName: "Priya",
    contact: null,
    lastMessageAt: "2025-11-25T10:00:00.000Z",
    lastMessagePreview: "Namaste",
    unreadCount: 0,
    lastInboundAt: "2025-11-25T10:00:00.000Z",
    windowOpen: true,
    windowClosesAt: "2025-11-26T10:00:00.000Z",
    businessPhoneNumber: { phoneNumberId: "106540352242922", displayPhoneNumber: "+91 80000 00001" },
    status: "OPEN",
    resolvedAt: null,
    assignee: null,
    labels: [],
    blocked: false,
    ...overrides,
  };
}

/** The connection shape of `messages` and `conversations`, oldest (or first) first. */
export function connection<T>(nodes: readonly T[], pageInfo: Record<string, unknown> = {}) {
  return {
    edges: nodes.map((node) => ({ node })),
    pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null, ...pageInfo },
  };
}

/** Waits (real time) until `check` passes or `timeoutMs` is over; returns whether it passed. */
export async function eventually(check: () => boolean, timeoutMs = 1_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}
