import { describe, expect, it } from "vitest";
import { loadOncePerEvent } from "./load-once.ts";

describe("loadOncePerEvent", () => {
  it("loads once for every subscriber of one event with the same selection, again for another selection or event", async () => {
    let loads = 0;
    const load = async () => ({ row: ++loads });
    const event = { type: "messageAdded" };
    const selection = { select: { id: true, text: true } };
    const answers = await Promise.all(Array.from({ length: 1_000 }, () => loadOncePerEvent(event, { ...selection }, load)));
    expect(loads).toBe(1);
    expect(new Set(answers).size).toBe(1);
    await loadOncePerEvent(event, { select: { id: true } }, load);
    await loadOncePerEvent({ type: "messageAdded" }, selection, load);
    expect(loads).toBe(3);
  });
});
