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

/** Reads within one task that may share one `performance.now()`. */
const READS_PER_REFRESH = 32;

/**
 * `performance.now()` costs 40-50 ns on Node 20 (bench: as much as the rest of an idle acquire +
 * release together), and the pool reads the time two or three times per borrow. So it is read at
 * most once per task (a callback from the event loop and the microtasks it runs), and again
 * after every 32 reads, because a long chain of microtasks never ends the task. A value is thus
 * never older than the current task or 32 reads (microseconds under load), always monotonic, and
 * never ahead of real time.
 *
 * The end of a task is marked with `process.nextTick`, which Node runs after the current callback
 * returns and before the next one from the event loop; a chain of awaits, one drain of the
 * microtask queue, does not let it run in between. `setImmediate`, used before, marked the end of
 * the event-loop turn instead, at 0.2-0.6 µs a call against ~0.1 µs (a million of each, Node 20),
 * paid by every turn that reads the clock: on an HTTP server, about two per request. (A paired
 * HTTP A/B could not tell the two apart: ±2 % run to run.) A microtask (`queueMicrotask`) would end
 * the cache at every await, and a chain of awaits would read the time every time.
 */
function taskCachedNow(): () => number {
  let cached = 0;
  let readsLeft = 0;
  let fresh = false;
  const endOfTask = (): void => {
    fresh = false;
  };
  return () => {
    if (fresh && --readsLeft > 0) return cached;
    if (!fresh) {
      fresh = true;
      process.nextTick(endOfTask);
    }
    readsLeft = READS_PER_REFRESH;
    cached = performance.now();
    return cached;
  };
}

/**
 * The real clock: `performance.now()` (cached per task, see taskCachedNow) and Node
 * timers, unref'd unless someone awaits them.
 */
export const systemClock: Clock = Object.freeze({
  now: taskCachedNow(),
  setTimeout(fn: () => void, ms: number, keepAlive = false): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    if (!keepAlive) t.unref();
    return t;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
});
