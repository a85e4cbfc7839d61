import type { Clock, TimerHandle } from './clock.js';
import { Fifo } from './fifo.js';
import type { Waiter } from './waiter.js';

/**
 * The FIFO of pending acquires. Waiters are served strictly in arrival order. Waiters with the
 * pool's default timeout have deadlines in the same order as arrival, so one timer armed for the
 * oldest of them covers all (no timer per waiter); per-call timeouts arm their own timer.
 * Settled waiters (aborted, timed out) are skipped lazily, and `size` counts only live ones.
 */
export class WaiterQueue<T> {
  readonly #clock: Clock;
  readonly #onExpired: (waiter: Waiter<T>) => void;
  readonly #queue = new Fifo<Waiter<T>>();
  /** Default-timeout waiters in deadline order, for the single timer. */
  readonly #byDeadline = new Fifo<Waiter<T>>();
  #timer: TimerHandle | undefined;
  #timerDeadline = Infinity;
  #live = 0;

  constructor(clock: Clock, onExpired: (waiter: Waiter<T>) => void) {
    this.#clock = clock;
    this.#onExpired = onExpired;
  }

  /** Live (unsettled, queued) waiters. */
  get size(): number {
    return this.#live;
  }

  push(waiter: Waiter<T>): void {
    this.#queue.push(waiter);
    waiter.inQueue = true;
    this.#live++;
    if (waiter.usesDefaultTimeout) {
      this.#byDeadline.push(waiter);
      if (this.#timer === undefined) this.#arm(waiter.deadline);
    }
  }

  /**
   * Returns a waiter to the head of the line (its connection failed the pre-lend check). It never
   * left the deadline list (see `shift(true)`), so its deadline still holds.
   */
  unshift(waiter: Waiter<T>): void {
    this.#queue.unshift(waiter);
    waiter.inQueue = true;
    this.#live++;
  }

  /**
   * The oldest live waiter, removed from the queue; undefined when none. Normally it also leaves
   * the deadline list (it is about to be granted), so a busy pool does not keep every served
   * waiter alive until its deadline would have passed. `keepDeadline`: it is about to wait for a
   * pre-lend ping, and its deadline must still fire meanwhile (one deadline per acquire).
   */
  shift(keepDeadline = false): Waiter<T> | undefined {
    for (let w = this.#queue.shift(); w !== undefined; w = this.#queue.shift()) {
      this.forget(w);
      if (w.settled) continue;
      if (w.usesDefaultTimeout && !keepDeadline) this.#dropFromDeadlines(w);
      return w;
    }
    return undefined;
  }

  /** Default-timeout waiters leave in FIFO order, so `w` is at (or near) the head of the list. */
  #dropFromDeadlines(w: Waiter<T>): void {
    for (let head = this.#byDeadline.peek(); head !== undefined && (head === w || head.settled); head = this.#byDeadline.peek()) {
      this.#byDeadline.shift();
      if (head === w) return;
    }
  }

  /** Stops counting a waiter that settled on its own (abort, own timer); it is skipped when reached. */
  forget(waiter: Waiter<T>): void {
    if (!waiter.inQueue) return;
    waiter.inQueue = false;
    this.#live--;
  }

  /** Removes every waiter, oldest first (pool close). */
  drain(): Waiter<T>[] {
    this.#disarm();
    this.#byDeadline.drain();
    this.#live = 0;
    const live = this.#queue.drain().filter((w) => w.inQueue);
    for (const w of live) w.inQueue = false;
    return live;
  }

  #arm(deadline: number): void {
    this.#timerDeadline = deadline;
    this.#timer = this.#clock.setTimeout(() => this.#expire(), deadline - this.#clock.now(), true);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDeadline = Infinity;
  }

  #expire(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    for (let w = this.#byDeadline.peek(); w !== undefined; w = this.#byDeadline.peek()) {
      if (w.settled) {
        this.#byDeadline.shift();
        continue;
      }
      if (w.deadline > now) return this.#arm(w.deadline);
      this.#byDeadline.shift();
      this.forget(w);
      // A waiter being checked out of the queue (pre-lend ping) is also expired here: one deadline.
      this.#onExpired(w);
    }
  }

  /** Test hook: the deadline the single timer is armed for. */
  get armedDeadline(): number {
    return this.#timerDeadline;
  }
}
