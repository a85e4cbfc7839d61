import type { Clock, TimerHandle } from '../time/clock.js';

/**
 * The resolve function of a queued acquire's promise. A plain queued acquire (the pool's default
 * timeout, no signal) is held as nothing more: one function and a slot of the queue's time array.
 * 100,000 such waiters take about the memory of a minimal FIFO pool's (bench: growth); an object
 * per waiter with its reject function and boxed timestamps cost 545 B against 340 B, and the
 * garbage collection of that difference dominated hand-offs with a huge queue.
 */
export type Resolve<T> = (value: T | PromiseLike<T>) => void;

/** What the queue holds for one acquire: its resolve function, or a Waiter when it needs more. */
export type Queued<T> = Resolve<T> | Waiter<T>;

/**
 * Rejects through a resolve function: resolving with a thenable that fails adopts its failure, so
 * no waiter needs to keep its reject function alive. No rejected promise exists in between, so
 * nothing can be reported as an unhandled rejection.
 */
export function rejectThrough<T>(resolve: Resolve<T>, error: unknown): void {
  resolve({ then: (_onFulfilled: unknown, onRejected: (reason: unknown) => void) => onRejected(error) } as PromiseLike<T>);
}

/** Grants a queued acquire; false when it had settled already (then the caller keeps the value). */
export function grantTo<T>(queued: Queued<T>, value: T): boolean {
  if (typeof queued === 'function') {
    queued(value);
    return true;
  }
  return queued.grant(value);
}

/** Fails a queued acquire; false when it had settled already. */
export function failTo<T>(queued: Queued<T>, error: unknown): boolean {
  if (typeof queued === 'function') {
    rejectThrough(queued, error);
    return true;
  }
  return queued.fail(error);
}

/**
 * A queued acquire that needs more than its resolve function: an AbortSignal, a timeout of its
 * own, a way for its owner to withdraw it (ConnectionScope), or a pre-lend ping in progress. It is
 * settled exactly once: `grant()` and `fail()` return false when it already was (timed out,
 * aborted, pool closed), and the caller must then keep the connection. That return value is what
 * makes "a timed-out waiter never receives a connection" hold.
 */
export class Waiter<T> {
  readonly enqueuedAt: number;
  /** Absolute deadline on the pool's clock (ms). */
  readonly deadline: number;
  /** True once it has a timer of its own; the queue's single timer then skips it. */
  hasOwnTimer = false;
  /** Maintained by WaiterQueue: true while physically queued and counted as waiting. */
  inQueue = false;
  #resolve: Resolve<T> | undefined;
  #cleanup: (() => void) | undefined;

  constructor(resolve: Resolve<T>, enqueuedAt: number, deadline: number) {
    this.#resolve = resolve;
    this.enqueuedAt = enqueuedAt;
    this.deadline = deadline;
  }

  get settled(): boolean {
    return this.#resolve === undefined;
  }

  grant(value: T): boolean {
    const resolve = this.#settle();
    if (resolve === undefined) return false;
    resolve(value);
    return true;
  }

  fail(error: unknown): boolean {
    const resolve = this.#settle();
    if (resolve === undefined) return false;
    rejectThrough(resolve, error);
    return true;
  }

  /** Ties the waiter to an AbortSignal; the listener is removed when the waiter settles. */
  watchSignal(signal: AbortSignal, onAbort: () => void): void {
    signal.addEventListener('abort', onAbort, { once: true });
    this.#addCleanup(() => signal.removeEventListener('abort', onAbort));
  }

  /** A timer for this waiter's deadline alone: a per-call timeout, or while its connection is pinged. */
  armOwnTimer(clock: Clock, onTimeout: () => void): void {
    this.hasOwnTimer = true;
    const handle: TimerHandle = clock.setTimeout(onTimeout, this.deadline - clock.now(), true);
    this.#addCleanup(() => clock.clearTimeout(handle));
  }

  #addCleanup(fn: () => void): void {
    const previous = this.#cleanup;
    this.#cleanup = previous ? () => (previous(), fn()) : fn;
  }

  /** Marks it settled and runs its cleanups; returns the resolve function, or undefined if settled already. */
  #settle(): Resolve<T> | undefined {
    const resolve = this.#resolve;
    if (resolve === undefined) return undefined;
    this.#resolve = undefined;
    const cleanup = this.#cleanup;
    this.#cleanup = undefined;
    cleanup?.();
    return resolve;
  }
}
