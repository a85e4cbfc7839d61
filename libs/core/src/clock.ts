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
   * Runs `fn` after `ms` milliseconds. Timers must not keep the process alive: a pool that is
   * only waiting for housekeeping is not a reason for Node to stay up.
   */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `performance.now()` and unref'd Node timers. */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return t;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
});
