import type { Clock } from '../time/clock.js';
import { AcquireAbortedError, AcquireTimeoutError, PoolQueueFullError } from '../errors.js';
import type { PoolConnection } from '../lease/pool-connection.js';
import type { MutableStats, PoolStatus } from '../observability/pool-status.js';
import { Waiter } from './waiter.js';
import { WaiterQueue } from './waiter-queue.js';

/** Per-call acquire options. */
export interface AcquireOptions {
  /** Cancels the wait; the acquire rejects with AcquireAbortedError and no connection is taken. */
  signal?: AbortSignal;
  /** This call's deadline (ms), instead of the pool's acquireTimeoutMs. */
  timeoutMs?: number;
}

/** What the line needs from its pool. */
export interface AcquireQueueDeps {
  readonly clock: Clock;
  readonly poolName: string;
  /** The pool's default acquire deadline (ms). */
  readonly timeoutMs: number;
  /** Most callers allowed to wait; 0 for no limit. */
  readonly maxWaiters: number;
  readonly stats: MutableStats;
  /** For the errors: the pool's status, and the last connect error as their cause. */
  status(): PoolStatus;
  lastConnectError(): unknown;
}

/**
 * The line of pending acquires and its rules: who may join (maxWaiters, an aborted signal), each
 * one's deadline and AbortSignal, and the errors they fail with. Served strictly in arrival order;
 * the pool takes waiters off the head when it has a connection for them.
 */
export class AcquireQueue {
  readonly #d: AcquireQueueDeps;
  readonly #queue: WaiterQueue<PoolConnection>;

  constructor(deps: AcquireQueueDeps) {
    this.#d = deps;
    this.#queue = new WaiterQueue(deps.clock, deps.timeoutMs, (waiter) => this.#timeOut(waiter));
  }

  /** Callers waiting. */
  get size(): number {
    return this.#queue.size;
  }

  /**
   * Queues an acquire; throws (nothing queued) when the signal is already aborted or the line is
   * full. With the default timeout the queue's single timer covers it; a timeout of its own arms
   * its own timer, and a signal withdraws it.
   */
  join(options: AcquireOptions | undefined): Promise<PoolConnection> {
    const signal = options?.signal;
    this.#admit(signal);
    const now = this.#d.clock.now();
    const timeoutMs = options?.timeoutMs ?? this.#d.timeoutMs;
    this.#d.stats.queued++;
    return new Promise<PoolConnection>((resolve, reject) => {
      const waiter = new Waiter(resolve, reject, now, timeoutMs);
      if (timeoutMs !== this.#d.timeoutMs) waiter.armOwnTimer(this.#d.clock, () => this.#timeOut(waiter));
      if (signal !== undefined) waiter.watchSignal(signal, () => this.withdraw(waiter, signal.reason));
      this.#queue.push(waiter);
    });
  }

  /** The oldest live waiter, off the line; undefined when none. */
  shift(): Waiter<PoolConnection> | undefined {
    return this.#queue.shift();
  }

  /** Hands a lease to a waiter taken off the line; false when it had settled (the caller keeps the connection). */
  grant(waiter: Waiter<PoolConnection>, lease: PoolConnection, now: number): boolean {
    if (!waiter.grant(lease)) return false;
    this.#d.stats.waitMs += now - waiter.enqueuedAt;
    return true;
  }

  /**
   * A waiter leaves the line while its connection is pinged: it gets a timer of its own, so its
   * deadline still holds (one deadline per acquire) and it can go back to the head.
   */
  checkOut(waiter: Waiter<PoolConnection>): Waiter<PoolConnection> {
    waiter.armOwnTimer(this.#d.clock, () => this.#timeOut(waiter));
    return waiter;
  }

  /** Puts a checked-out waiter back at the head (its connection failed the check): it keeps its turn. */
  putBack(waiter: Waiter<PoolConnection>): void {
    if (!waiter.settled) this.#queue.unshift(waiter);
  }

  /** Fails a waiter with AcquireAbortedError if it still waits (its signal aborted). */
  withdraw(waiter: Waiter<PoolConnection>, reason: unknown): void {
    if (waiter.settled) return; // served already: no error to build
    this.#queue.forget(waiter);
    waiter.fail(new AcquireAbortedError(this.#d.poolName, reason));
    this.#d.stats.aborted++;
  }

  /** Fails every waiter, oldest first (pool close). */
  failAll(error: Error): void {
    for (const waiter of this.#queue.drain()) waiter.fail(error);
  }

  /** Throws, queueing nothing, when the signal is already aborted or the line is full. */
  #admit(signal: AbortSignal | undefined): void {
    if (signal?.aborted) {
      this.#d.stats.aborted++;
      throw new AcquireAbortedError(this.#d.poolName, signal.reason);
    }
    if (this.#d.maxWaiters > 0 && this.#queue.size >= this.#d.maxWaiters) {
      this.#d.stats.rejectedQueueFull++;
      throw new PoolQueueFullError(this.#d.status());
    }
  }

  /** A waiter's deadline passed: the line's single timer, or its own timer. */
  #timeOut(waiter: Waiter<PoolConnection>): void {
    this.#queue.forget(waiter);
    const elapsedMs = this.#d.clock.now() - waiter.enqueuedAt;
    if (waiter.fail(new AcquireTimeoutError({ elapsedMs, status: this.#d.status(), cause: this.#d.lastConnectError() }))) {
      this.#d.stats.timeouts++;
      this.#d.stats.waitMs += elapsedMs;
    }
  }
}
