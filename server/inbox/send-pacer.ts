import type { Redis } from "ioredis";

/**
 * Keeps sends per business number under Meta's throughput limit (80/s by default, up to
 * 1,000/s), counted as Meta counts it: by arrival. Sends are spaced evenly — each takes the next
 * slot, a `perSecond`th of a second after the previous one, and after a pause the slots of the
 * last PACER_CATCH_UP_MS may be caught up — so a backlog never goes in one burst.
 *
 * The limit itself rests on what we know of each arrival: a send arrives after we let it go and
 * before its answer comes back. So a send counts from its slot until a second after its answer
 * (for ever while unanswered), and a new one may go only while fewer than `perSecond` sends
 * count. Any second at Meta that could hold `perSecond + 1` arrivals would have held the
 * answers of `perSecond` of them less than a second before the last one went — which this rule
 * refuses, however long each send was in transit and whichever instance sent it. The price:
 * with answers taking `L` ms, at most `perSecond` sends go per `1000 + L` ms.
 * In memory for one instance; in Redis, on Redis's clock, when several instances share the number.
 */
export interface SendPacer {
  /** Waits for a slot, runs `send`, and counts it against the limit until it has surely arrived. */
  pace<T>(phoneNumberId: string, send: () => Promise<T>): Promise<T>;
  /** The highest limit it keeps, per number (the configured ceiling; a number may allow less). */
  readonly perSecond: number;
}

/** What a number allows per second, as Meta set it (its throughput level, coexistence). */
export type NumberRate = (phoneNumberId: string) => Promise<number>;

const anyNumber: NumberRate = async () => Infinity;

/** The second Meta counts arrivals in. */
const WINDOW_MS = 1000;

/**
 * How far behind its slots a busy sender may catch up, so that a timer firing late (a busy
 * event loop) does not lower the rate. @default 20 ms
 */
export const PACER_CATCH_UP_MS = 20;

/**
 * How far behind a send that was already waiting behind others may catch up. Those slots were
 * lost to a busy event loop (a claim of 500 rows, a group commit), not to an idle queue: at
 * 1,000/s a stall of 50 ms lost 50 sends that were ready, and never got them back — that was
 * most of the 6 % a campaign fell short of the limit. Catching up is safe for Meta's limit,
 * which the answers decide (see {@link nextSendAt}); it only lets a backlog make good a stall in
 * a short burst. A queue starting from idle still catches up PACER_CATCH_UP_MS only, so that a
 * new backlog never starts with a burst. @default 250 ms
 */
export const BACKLOG_CATCH_UP_MS = 250;

/**
 * Waits shorter than this are not waited: a timer cannot wait less, and each send would cost a
 * turn of the event loop (at 1,000/s a busy server reached 55 sends a second that way). The
 * slots still keep the average rate, and the limit's time is this much later than a second, so
 * that going this much early still keeps it.
 */
export const SHORTEST_WAIT_MS = 1;

/**
 * In Redis a send that was never answered (its instance crashed) stops counting this long after
 * its answer's deadline, so that it cannot hold a slot for ever. @default 1_000 ms
 */
const UNANSWERED_GRACE_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A number's pacing: its next slot, when each recently answered send was answered (oldest first), and the sends still unanswered. */
export interface PacingState {
  nextSlot: number;
  answeredAt: number[];
  unanswered: number;
}

/**
 * When the next send may go: its slot, unless `perSecond` sends still count until later. An
 * unanswered send is taken as answered now, which no answer can beat: the time is never too
 * late, and the caller asks again when it comes.
 */
export function nextSendAt(state: PacingState, now: number, perSecond: number, catchUpMs = PACER_CATCH_UP_MS): number {
  const { answeredAt, unanswered } = state;
  while (answeredAt.length > 0 && answeredAt[0]! <= now - WINDOW_MS) answeredAt.shift();
  const slot = Math.max(state.nextSlot, now - catchUpMs);
  const counted = answeredAt.length + unanswered;
  if (counted < perSecond) return slot;
  // The answer that has to be a second old before one more may go, in order of answering.
  const freeing = counted - perSecond;
  return Math.max(slot, (freeing < answeredAt.length ? answeredAt[freeing]! : now) + WINDOW_MS + SHORTEST_WAIT_MS);
}

/**
 * One decision at a time per number within this process; the send itself runs outside it. A
 * decision knows whether its send queued behind another's (`backlogged`): then it may catch up
 * slots a busy event loop made it miss (BACKLOG_CATCH_UP_MS).
 */
function perNumberLanes(
  perSecond: number,
  rateOf: NumberRate,
  decide: (phoneNumberId: string, limit: number, catchUpMs: number) => Promise<() => void>,
): SendPacer {
  const lanes = new Map<string, Promise<unknown>>();
  const deciding = new Map<string, number>();
  return {
    perSecond,
    async pace(phoneNumberId, send) {
      const backlogged = (deciding.get(phoneNumberId) ?? 0) > 0;
      deciding.set(phoneNumberId, (deciding.get(phoneNumberId) ?? 0) + 1);
      // The lower of the ceiling and what the number allows, read at each send: a change of level applies at once.
      const turn = (lanes.get(phoneNumberId) ?? Promise.resolve())
        .then(async () => decide(phoneNumberId, Math.max(1, Math.min(perSecond, await rateOf(phoneNumberId))), backlogged ? BACKLOG_CATCH_UP_MS : PACER_CATCH_UP_MS))
        .finally(() => deciding.set(phoneNumberId, deciding.get(phoneNumberId)! - 1));
      lanes.set(phoneNumberId, turn.catch(() => undefined));
      const answered = await turn;
      try {
        return await send();
      } finally {
        answered();
      }
    },
  };
}

/** @param rateOf what each number allows; the pacer keeps the lower of it and `perSecond`. */
export function createSendPacer(perSecond: number, rateOf: NumberRate = anyNumber): SendPacer {
  const states = new Map<string, PacingState>();
  return perNumberLanes(perSecond, rateOf, async (phoneNumberId, limit, catchUpMs) => {
    const state = states.get(phoneNumberId) ?? { nextSlot: -Infinity, answeredAt: [], unanswered: 0 };
    states.set(phoneNumberId, state);
    for (;;) {
      const now = performance.now();
      const at = nextSendAt(state, now, limit, catchUpMs);
      if (at - now < SHORTEST_WAIT_MS) {
        state.nextSlot = at + WINDOW_MS / limit;
        state.unanswered++;
        return () => {
          state.unanswered--;
          state.answeredAt.push(performance.now());
        };
      }
      await sleep(at - now);
    }
  });
}

/**
 * The same rule over Redis, for every instance together, on Redis's clock (so instances' clocks
 * never meet): a sorted set per number holds each counted send scored by its answer's time —
 * until answered, by its deadline, which no answer can pass — and a key beside it the next slot.
 * Answers 0 when the send was let go and recorded, or how many milliseconds to wait before
 * asking again.
 */
const TAKE_SLOT_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local limit, windowMs, catchUpMs, shortestWaitMs, deadlineMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
local at = math.max(tonumber(redis.call('GET', KEYS[2]) or '-1e300'), now - catchUpMs)
local counted = redis.call('ZCARD', KEYS[1])
if counted >= limit then
  local freeing = redis.call('ZRANGE', KEYS[1], counted - limit, counted - limit, 'WITHSCORES')
  at = math.max(at, math.min(tonumber(freeing[2]), now) + windowMs + shortestWaitMs)
end
if at - now >= shortestWaitMs then return tostring(at - now) end
redis.call('ZADD', KEYS[1], now + deadlineMs, ARGV[6])
redis.call('PEXPIRE', KEYS[1], math.ceil(deadlineMs + windowMs))
redis.call('SET', KEYS[2], tostring(at + windowMs / limit), 'PX', math.ceil(deadlineMs + windowMs))
return '0'
`;

/** Scores an answered send by when its answer came, on Redis's clock (if it still counts). */
const ANSWERED_SCRIPT = `
local time = redis.call('TIME')
redis.call('ZADD', KEYS[1], 'XX', tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000, ARGV[1])
return 0
`;

/**
 * @param answerDeadlineMs the longest a send can take to be answered or given up
 *   (`WHATSAPP_API_TIMEOUT_MS`): an instance that dies mid-send holds its slot this long.
 */
export function createRedisSendPacer(redis: Redis, perSecond: number, answerDeadlineMs: number, rateOf: NumberRate = anyNumber): SendPacer {
  let sequence = 0;
  const deadlineMs = answerDeadlineMs + UNANSWERED_GRACE_MS;
  return perNumberLanes(perSecond, rateOf, async (phoneNumberId, limit, catchUpMs) => {
    const key = `bharat:send-pacer:${phoneNumberId}`;
    const member = `${process.pid}:${Date.now()}:${++sequence}`;
    for (;;) {
      const args = [limit, WINDOW_MS, catchUpMs, SHORTEST_WAIT_MS, deadlineMs, member];
      const wait = Number(await redis.eval(TAKE_SLOT_SCRIPT, 2, key, `${key}:next-slot`, ...args));
      if (wait <= 0) break;
      await sleep(wait);
    }
    return () => {
      // Not awaited: if it fails, the send counts until its deadline, which only slows sending.
      redis.eval(ANSWERED_SCRIPT, 1, key, member).catch(() => undefined);
    };
  });
}
