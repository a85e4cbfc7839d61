import type { Clock, TimerHandle } from '../time/clock.js';

/**
 * One pending acquire. It is settled exactly once: `grant()` and `fail()` return false when it
 * already was (timed out, aborted, pool closed), and the caller must then keep the connection.
 * That return value is what makes "a timed-out waiter never receives a connection" hold.
 *
 * Deadlines: a waiter with the pool's default timeout is covered by the queue's single timer (see
 * WaiterQueue); one with a timeout of its own, or whose connection is being pinged, arms its own.
 */
export class Waiter<T> {
  readonly enqueuedAt: number;
  /** This acquire's timeout (ms); the deadline is derived (one field fewer to box). */
  readonly timeoutMs: number;
  /** True once it has a timer of its own; the queue's single timer then skips it. */
  hasOwnTimer = false;
  /** Maintained by WaiterQueue: true while physically queued and counted as waiting. */
  inQueue = false;
  #resolve: ((value: T) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  #cleanup: (() => void) | undefined;

  constructor(resolve: (value: T) => void, reject: (error: unknown) => void, enqueuedAt: number, timeoutMs: number) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.enqueuedAt = enqueuedAt;
    this.timeoutMs = timeoutMs;
  }

  /** Absolute deadline on the pool's clock (ms). */
  get deadline(): number {
    return this.enqueuedAt + this.timeoutMs;
  }

  get settled(): boolean {
    return this.#resolve === undefined;
  }

  grant(value: T): boolean {
    const resolve = this.#resolve;
    if (resolve === undefined) return false;
    this.#settle();
    resolve(value);
    return true;
  }

  fail(error: unknown): boolean {
    const reject = this.#reject;
    if (reject === undefined) return false;
    this.#settle();
    reject(error);
    return true;
  }

  /** Ties the waiter to an AbortSignal; the listener is removed when the waiter settles. */
  watchSignal(signal: AbortSignal, onAbort: () => void): void {
    signal.addEventListener('abort', onAbort, { once: true });
    this.#addCleanup(() => signal.removeEventListener('abort', onAbort));
  }

  /** A timer for this waiter's deadline alone: a per-call timeout, or while its connection is pinged. */
  armOwnTimer(clock: Clock, onTimeout: () => void): void {
    if (this.hasOwnTimer) return;
    this.hasOwnTimer = true;
    const handle: TimerHandle = clock.setTimeout(onTimeout, this.deadline - clock.now(), true);
    this.#addCleanup(() => clock.clearTimeout(handle));
  }

  #addCleanup(fn: () => void): void {
    const previous = this.#cleanup;
    this.#cleanup = previous ? () => (previous(), fn()) : fn;
  }

  #settle(): void {
    this.#resolve = undefined;
    this.#reject = undefined;
    const cleanup = this.#cleanup;
    this.#cleanup = undefined;
    cleanup?.();
  }
}
