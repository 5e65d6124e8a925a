import type { Redis } from "ioredis";

/**
 * Keeps sends per business number under Meta's throughput limit (80/s by default, up to
 * 1,000/s). Sends are spaced evenly at the rate the window allows — each takes the next slot,
 * a window's `perSecond`th after the previous one, and after a pause the slots of the last
 * PACER_CATCH_UP_MS may be caught up — and never more than `perSecond` go in any sliding window
 * a little longer than a second.
 * Counting in fixed one-second windows would allow twice the rate across a window boundary,
 * and the window alone would let a backlog go in one burst each second.
 * In memory for one instance; in Redis when several instances share the number.
 */
export interface SendPacer {
  /** Resolves when this send may go. */
  wait(phoneNumberId: string): Promise<void>;
  /** The limit it keeps, per number. */
  readonly perSecond: number;
}

/**
 * The window is longer than a second by this much, because Meta counts arrivals, not
 * departures: a send held up on the way must not make the next second look too full. Delays
 * that vary by more than this can still bunch a few sends; Meta answers those 130429, and the
 * outbox sends them again after a backoff.
 * @default 30 ms (3 % of the rate, at full load)
 */
export const PACER_SAFETY_MARGIN_MS = 30;
const WINDOW_MS = 1000 + PACER_SAFETY_MARGIN_MS;

/**
 * How far behind its slots a busy sender may catch up, so that a timer firing late (a busy
 * event loop) does not lower the rate. @default 20 ms
 */
export const PACER_CATCH_UP_MS = 20;

/**
 * Waits shorter than this are not waited: a timer cannot wait less, and each send would cost a
 * turn of the event loop (at 1,000/s a busy server reached 55 sends a second that way). The
 * slots still keep the average rate.
 */
const SHORTEST_WAIT_MS = 1;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A number's pacing: its next free slot and the send times in the window, oldest first. */
export interface PacingState {
  nextSlot: number;
  sentTimes: number[];
}

/** When the next send may go: its slot, unless the window is full until later. */
export function nextSendAt(state: PacingState, now: number, perSecond: number): number {
  const { sentTimes } = state;
  const slot = Math.max(state.nextSlot, now - PACER_CATCH_UP_MS);
  const windowFreesAt = sentTimes.length >= perSecond ? sentTimes[sentTimes.length - perSecond]! + WINDOW_MS : -Infinity;
  return Math.max(slot, windowFreesAt);
}

/** One decision at a time per number within this process, each measured when the send really goes. */
function perNumberLanes(perSecond: number, decide: (phoneNumberId: string) => Promise<void>): SendPacer {
  const lanes = new Map<string, Promise<void>>();
  return {
    perSecond,
    wait(phoneNumberId) {
      const turn = (lanes.get(phoneNumberId) ?? Promise.resolve()).then(() => decide(phoneNumberId));
      lanes.set(phoneNumberId, turn);
      return turn;
    },
  };
}

export function createSendPacer(perSecond: number): SendPacer {
  const states = new Map<string, PacingState>();
  return perNumberLanes(perSecond, async (phoneNumberId) => {
    const state = states.get(phoneNumberId) ?? { nextSlot: -Infinity, sentTimes: [] };
    states.set(phoneNumberId, state);
    const at = nextSendAt(state, performance.now(), perSecond);
    const wait = at - performance.now();
    if (wait >= SHORTEST_WAIT_MS) await sleep(wait);
    state.nextSlot = at + WINDOW_MS / perSecond;
    state.sentTimes.push(performance.now());
    if (state.sentTimes.length > perSecond) state.sentTimes.splice(0, state.sentTimes.length - perSecond);
  });
}

/**
 * The same rule over Redis, for every instance together: the send times live in a sorted set
 * per number and its next slot in a key beside it, read and written by one atomic script on
 * Redis's clock. Answers 0 when the send
 * was recorded, or how many milliseconds to wait before asking again.
 */
const RESERVE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local limit, windowMs, catchUpMs, shortestWaitMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
local at = math.max(tonumber(redis.call('GET', KEYS[2]) or '-1e300'), now - catchUpMs)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  at = math.max(at, tonumber(oldest[2]) + windowMs)
end
if at - now >= shortestWaitMs then return tostring(at - now) end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('PEXPIRE', KEYS[1], math.ceil(windowMs * 2))
redis.call('SET', KEYS[2], tostring(at + windowMs / limit), 'PX', math.ceil(windowMs * 2))
return '0'
`;

export function createRedisSendPacer(redis: Redis, perSecond: number): SendPacer {
  let sequence = 0;
  return perNumberLanes(perSecond, async (phoneNumberId) => {
    const member = `${process.pid}:${Date.now()}:${++sequence}`;
    for (;;) {
      const key = `bharat:send-pacer:${phoneNumberId}`;
      const wait = Number(await redis.eval(RESERVE_SCRIPT, 2, key, `${key}:next-slot`, perSecond, WINDOW_MS, PACER_CATCH_UP_MS, SHORTEST_WAIT_MS, member));
      if (wait <= 0) return;
      await sleep(wait);
    }
  });
}
