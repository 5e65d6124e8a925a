import { describe, expect, it } from "vitest";
import { readHistory, splitHistory } from "./history.ts";

const BUSINESS = "15550783881";
const metadata = { display_phone_number: BUSINESS, phone_number_id: "106540352242922" };
const message = (from: string, id: string, extra: Record<string, unknown> = {}) => ({ from, id, timestamp: "1775627842", type: "text", text: { body: id }, ...extra });

describe("reading Meta's history webhook", () => {
  it("reads phase, chunk order and progress as numbers (Meta's reference) or numeric strings (providers' copies)", () => {
    const asNumbers = readHistory({ messaging_product: "whatsapp", metadata, history: [{ metadata: { phase: 1, chunk_order: 2, progress: 55 }, threads: [] }] });
    const asStrings = readHistory({ messaging_product: "whatsapp", metadata, history: [{ metadata: { phase: "1", chunk_order: "2", progress: "55" }, threads: [] }] });
    expect(asNumbers[0]).toMatchObject({ phase: 1, chunkOrder: 2, progress: 55 });
    expect(asStrings[0]).toMatchObject({ phase: 1, chunkOrder: 2, progress: 55 });
  });

  it("tells the business's messages (to, its own number, or from_me) from the customer's, with the phone's status", () => {
    const [chunk] = readHistory({
      messaging_product: "whatsapp",
      metadata,
      history: [
        {
          metadata: { phase: 0, chunk_order: 1, progress: 100 },
          threads: [
            {
              id: "919876543210",
              messages: [
                message("919876543210", "a", { history_context: { status: "DELIVERED" } }),
                message(BUSINESS, "b", { to: "919876543210", history_context: { status: "READ" } }),
                message("919876543210", "c", { history_context: { from_me: true, status: "read" } }),
                message("919876543210", "d", { type: "media_placeholder", text: undefined }),
              ],
            },
          ],
        },
      ],
    });
    expect(chunk!.messages.map((item) => [item.wamid, item.sender, item.status, item.mediaPlaceholder, item.customer.waId])).toEqual([
      ["a", "customer", null, false, "919876543210"],
      ["b", "businessApp", "read", false, "919876543210"],
      ["c", "businessApp", "read", false, "919876543210"],
      ["d", "customer", null, true, "919876543210"],
    ]);
    expect(chunk!.messages[3]!.preview).toBe("[Media]");
  });

  it("reads the declined error as such", () => {
    const text = "History sync is turned off by the business from the WhatsApp Business App";
    const [chunk] = readHistory({ messaging_product: "whatsapp", metadata, history: [{ errors: [{ code: 2593109, title: text, message: text, error_data: { details: text } }] }] });
    expect(chunk).toMatchObject({ messages: [], error: { code: 2593109, title: text, declined: true } });
  });

  it("keeps a message it cannot read aside and reads the rest", () => {
    const [chunk] = readHistory({ messaging_product: "whatsapp", metadata, history: [{ threads: [{ id: "919876543210", messages: [{ from: "919876543210" }, message("919876543210", "ok")] }] }] });
    expect(chunk!.messages.map((item) => item.wamid)).toEqual(["ok"]);
    expect(chunk!.unreadable[0]!.reason).toMatch(/history\[0\]\.threads\[0\]\.messages\[0\]/);
  });
});

describe("splitting a chunk into batches", () => {
  it("cuts threads between batches without losing, repeating or reordering a message", () => {
    const threads = [0, 1, 2].map((thread) => ({ id: `91987654321${thread}`, messages: Array.from({ length: 7 }, (_, index) => message(`91987654321${thread}`, `t${thread}m${index}`)) }));
    const value = { messaging_product: "whatsapp", metadata, history: [{ metadata: { phase: 2, chunk_order: 1, progress: 100 }, threads }] };
    const batches = splitHistory(value, 5);
    expect(batches).toHaveLength(5);
    const read = batches.flatMap((batch) => readHistory(batch));
    expect(read.flatMap((chunk) => chunk.messages.map((item) => item.wamid))).toEqual(threads.flatMap((thread) => thread.messages.map((item) => item.id)));
    expect(read.every((chunk) => chunk.messages.length <= 5 && chunk.phase === 2 && chunk.progress === 100)).toBe(true);
  });
});
