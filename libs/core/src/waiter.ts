import type { Clock, TimerHandle } from './clock.js';

/**
 * One pending acquire. It is settled exactly once: `grant()` and `fail()` return false when it
 * already was (timed out, aborted, pool closed), and the caller must then keep the connection.
 * That return value is what makes "a timed-out waiter never receives a connection" hold.
 */
export class Waiter<T> {
  readonly enqueuedAt: number;
  /** Absolute deadline on the pool's clock (ms). */
  readonly deadline: number;
  /** True when this waiter's timeout is the pool default, so the queue's single timer covers it. */
  readonly usesDefaultTimeout: boolean;
  readonly promise: Promise<T>;
  /** Maintained by WaiterQueue: true while physically queued and counted as waiting. */
  inQueue = false;
  #settled = false;
  #resolve!: (value: T) => void;
  #reject!: (error: unknown) => void;
  #cleanup: (() => void) | undefined;

  constructor(enqueuedAt: number, deadline: number, usesDefaultTimeout: boolean) {
    this.enqueuedAt = enqueuedAt;
    this.deadline = deadline;
    this.usesDefaultTimeout = usesDefaultTimeout;
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  get settled(): boolean {
    return this.#settled;
  }

  grant(value: T): boolean {
    if (this.#settled) return false;
    this.#settle();
    this.#resolve(value);
    return true;
  }

  fail(error: unknown): boolean {
    if (this.#settled) return false;
    this.#settle();
    this.#reject(error);
    return true;
  }

  /** Ties the waiter to an AbortSignal; the listener is removed when the waiter settles. */
  watchSignal(signal: AbortSignal, onAbort: () => void): void {
    signal.addEventListener('abort', onAbort, { once: true });
    this.#addCleanup(() => signal.removeEventListener('abort', onAbort));
  }

  /** A per-call timeout that differs from the pool default gets its own timer. */
  armOwnTimer(clock: Clock, onTimeout: () => void): void {
    const handle: TimerHandle = clock.setTimeout(onTimeout, this.deadline - clock.now(), true);
    this.#addCleanup(() => clock.clearTimeout(handle));
  }

  #addCleanup(fn: () => void): void {
    const previous = this.#cleanup;
    this.#cleanup = previous ? () => (previous(), fn()) : fn;
  }

  #settle(): void {
    this.#settled = true;
    const cleanup = this.#cleanup;
    this.#cleanup = undefined;
    cleanup?.();
  }
}
