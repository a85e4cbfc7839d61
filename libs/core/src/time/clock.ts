import { performance } from 'node:perf_hooks';

/** An opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Monotonic time and timers, behind an interface so the pool's state machine can be driven by a
 * manual clock in tests. Deadlines and ages are computed from `now()` (milliseconds, monotonic),
 * never from wall-clock `Date.now()`, which jumps with NTP and DST.
 */
export interface Clock {
  /** Monotonic milliseconds (fractional). */
  now(): number;
  /**
   * Runs `fn` after `ms` milliseconds. Background timers (housekeeping, reconnect backoff, leak
   * detection) must not keep the process alive: an idle pool is no reason for Node to stay up.
   * `keepAlive`: someone awaits this timer (an acquire's or open()'s deadline, a release, a
   * close), so the process must not exit before it fires.
   */
  setTimeout(fn: () => void, ms: number, keepAlive?: boolean): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Reads within one event-loop turn that may share one `performance.now()`. */
const READS_PER_REFRESH = 32;

/**
 * `performance.now()` costs about as much as the rest of an idle acquire and release together,
 * and the pool reads the time two or three times per borrow. So it is read at
 * most once per event-loop turn, which is what libuv does for Node's own timers, and again after
 * every 32 reads, because a long chain of microtasks never ends the turn. A value is thus never
 * older than the current turn or 32 reads (microseconds under load, one task when idle), always
 * monotonic, and never ahead of real time.
 */
function turnCachedNow(): () => number {
  let cached = 0;
  let readsLeft = 0;
  let fresh = false;
  const endOfTurn = (): void => {
    fresh = false;
  };
  return () => {
    if (fresh && --readsLeft > 0) return cached;
    if (!fresh) {
      fresh = true;
      setImmediate(endOfTurn);
    }
    readsLeft = READS_PER_REFRESH;
    cached = performance.now();
    return cached;
  };
}

/**
 * The real clock: `performance.now()` (cached per event-loop turn, see turnCachedNow) and Node
 * timers, unref'd unless someone awaits them.
 */
export const systemClock: Clock = Object.freeze({
  now: turnCachedNow(),
  setTimeout(fn: () => void, ms: number, keepAlive = false): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    if (!keepAlive) t.unref();
    return t;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
});
