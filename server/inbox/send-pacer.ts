import type { Redis } from "ioredis";

/**
 * Keeps sends per business number under Meta's throughput limit (80/s by default, up to
 * 1,000/s): at most `perSecond` sends in any sliding window a little longer than a second,
 * and never two closer than half the even spacing (bursts would arrive in shuffled order) where
 * a timer can wait that long.
 * Counting in fixed one-second windows would allow twice the rate across a window boundary.
 * In memory for one instance; in Redis when several instances share the number.
 */
export interface SendPacer {
  /** Resolves when this send may go. */
  wait(phoneNumberId: string): Promise<void>;
}

/**
 * The window is longer than a second by this much, because Meta counts arrivals, not
 * departures: a send held up on the way must not make the next second look too full.
 * @default 50 ms (5 % of the rate, at full load)
 */
export const PACER_SAFETY_MARGIN_MS = 50;
const WINDOW_MS = 1000 + PACER_SAFETY_MARGIN_MS;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Half the even spacing between two sends — unless that is under a millisecond (over 500/s):
 * a timer cannot wait less, so each send would cost a turn of the event loop and a busy server
 * would send a small fraction of the limit. Above that rate only the window holds them back.
 */
export function minimumGapMs(perSecond: number): number {
  const gap = 500 / perSecond;
  return gap >= 1 ? gap : 0;
}

/** How long until a send may go, given the send times in the window (oldest first). */
export function pacingDelay(sentTimes: readonly number[], now: number, perSecond: number): number {
  const last = sentTimes.at(-1) ?? -Infinity;
  const windowFreesAt = sentTimes.length >= perSecond ? sentTimes[sentTimes.length - perSecond]! + WINDOW_MS : -Infinity;
  return Math.max(last + minimumGapMs(perSecond), windowFreesAt) - now;
}

/** One decision at a time per number within this process, each measured when the send really goes. */
function perNumberLanes(decide: (phoneNumberId: string) => Promise<void>): SendPacer {
  const lanes = new Map<string, Promise<void>>();
  return {
    wait(phoneNumberId) {
      const turn = (lanes.get(phoneNumberId) ?? Promise.resolve()).then(() => decide(phoneNumberId));
      lanes.set(phoneNumberId, turn);
      return turn;
    },
  };
}

export function createSendPacer(perSecond: number): SendPacer {
  const sent = new Map<string, number[]>();
  return perNumberLanes(async (phoneNumberId) => {
    const times = sent.get(phoneNumberId) ?? [];
    sent.set(phoneNumberId, times);
    const delay = pacingDelay(times, performance.now(), perSecond);
    if (delay > 0) await sleep(delay);
    times.push(performance.now());
    if (times.length > perSecond) times.splice(0, times.length - perSecond);
  });
}

/**
 * The same rule over Redis, for every instance together: the send times live in a sorted set
 * per number, read and written by one atomic script on Redis's clock. Answers 0 when the send
 * was recorded, or how many milliseconds to wait before asking again.
 */
const RESERVE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local limit, windowMs, gapMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
local count = redis.call('ZCARD', KEYS[1])
local wait = 0
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if #last > 0 then wait = math.max(wait, tonumber(last[2]) + gapMs - now) end
if count >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + windowMs - now)
end
if wait > 0 then return tostring(wait) end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(windowMs * 2))
return '0'
`;

export function createRedisSendPacer(redis: Redis, perSecond: number): SendPacer {
  let sequence = 0;
  return perNumberLanes(async (phoneNumberId) => {
    const member = `${process.pid}:${Date.now()}:${++sequence}`;
    for (;;) {
      const wait = Number(await redis.eval(RESERVE_SCRIPT, 1, `bharat:send-pacer:${phoneNumberId}`, perSecond, WINDOW_MS, minimumGapMs(perSecond), member));
      if (wait <= 0) return;
      await sleep(wait);
    }
  });
}
