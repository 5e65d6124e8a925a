/**
 * Keeps sends per business number under Meta's throughput limit (80/s by default, up to
 * 1,000/s): at most `perSecond` sends in any sliding window a little longer than a second.
 * Counting in fixed one-second windows would allow twice the rate across a window boundary.
 */
export interface SendPacer {
  /** Resolves when this send may go: at once, or when the oldest send in the window has left it. */
  wait(phoneNumberId: string): Promise<void>;
}

/**
 * The window is longer than a second by this much, because Meta counts arrivals, not
 * departures: a send held up on the way must not make the next second look too full.
 * @default 50 ms (5 % of the rate, at full load)
 */
export const PACER_SAFETY_MARGIN_MS = 50;

export function createSendPacer(perSecond: number, now = () => performance.now()): SendPacer {
  const windowMs = 1000 + PACER_SAFETY_MARGIN_MS;
  // Sends are also spread out (never closer than half the even spacing), so that requests do
  // not arrive in bursts whose order the network may shuffle; catching up after a late timer
  // can still go at twice the even pace while the window holds.
  const minimumGapMs = 500 / perSecond;
  const lanes = new Map<string, { sent: number[]; queue: Promise<void> }>();
  return {
    wait(phoneNumberId) {
      const lane = lanes.get(phoneNumberId) ?? { sent: [], queue: Promise.resolve() };
      lanes.set(phoneNumberId, lane);
      // One decision at a time per number, each measured when the send really goes.
      const turn = lane.queue.then(async () => {
        const last = lane.sent.at(-1) ?? -Infinity;
        const windowFreesAt = lane.sent.length >= perSecond ? lane.sent[lane.sent.length - perSecond]! + windowMs : -Infinity;
        const delay = Math.max(last + minimumGapMs, windowFreesAt) - now();
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        lane.sent.push(now());
        if (lane.sent.length > perSecond) lane.sent.splice(0, lane.sent.length - perSecond);
      });
      lane.queue = turn;
      return turn;
    },
  };
}
