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

/** The real clock: `performance.now()` and Node timers, unref'd unless someone awaits them. */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimeout(fn: () => void, ms: number, keepAlive = false): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    if (!keepAlive) t.unref();
    return t;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
});
