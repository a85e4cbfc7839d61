import type { Clock, TimerHandle } from '../time/clock.js';
import type { Waiter } from './waiter.js';

/** False for an emptied slot, or a waiter that settled on its own (already uncounted). */
function isLive<T>(waiter: Waiter<T> | undefined): waiter is Waiter<T> {
  return waiter !== undefined && waiter.inQueue;
}

/** Ring capacity a queue starts with (a power of two). */
const INITIAL_CAPACITY = 64;
/** An emptied queue larger than this shrinks back: a spike's arrays are not kept for good. */
const KEPT_CAPACITY = 1024;

/**
 * The FIFO of pending acquires, served strictly in arrival order, as a ring buffer of waiters.
 *
 * Deadlines: waiters with the pool's default timeout expire in arrival order, so one timer armed
 * for the oldest covers all of them (no timer per waiter). A Waiter with a timer of its own is
 * skipped by it. Waiters that settled (aborted, timed out) are not counted in `size`; their slots
 * stay until they reach the head. Invariant: the head slot holds a live waiter whenever the queue
 * is not empty (every removal and every settle ends with `#trimHead()`).
 */
export class WaiterQueue<T> {
  readonly #clock: Clock;
  /** The pool's default acquire timeout (ms): deadline = enqueue time + this. */
  readonly #timeoutMs: number;
  readonly #onExpired: (waiter: Waiter<T>) => void;
  #items: (Waiter<T> | undefined)[] = new Array<Waiter<T> | undefined>(INITIAL_CAPACITY).fill(undefined);
  #mask = INITIAL_CAPACITY - 1;
  #head = 0;
  /** Occupied slots, settled ones included. */
  #length = 0;
  #live = 0;
  /** Slots from the head known to hold no waiter for the single timer: where expiry resumes. */
  #expiredPrefix = 0;
  #timer: TimerHandle | undefined;
  #timerDeadline = Infinity;

  constructor(clock: Clock, timeoutMs: number, onExpired: (waiter: Waiter<T>) => void) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
    this.#onExpired = onExpired;
  }

  /** Live (unsettled, queued) waiters. */
  get size(): number {
    return this.#live;
  }

  /** Queues at the tail. */
  push(waiter: Waiter<T>): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & this.#mask] = waiter;
    this.#length++;
    this.#live++;
    waiter.inQueue = true;
    if (!waiter.hasOwnTimer && this.#timer === undefined) this.#arm(waiter.enqueuedAt + this.#timeoutMs);
  }

  /**
   * Puts a waiter back at the head (its connection failed the pre-lend check), so it keeps its
   * turn. It has a timer of its own since it left (see Pool), so the single timer skips it.
   */
  unshift(waiter: Waiter<T>): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#items[this.#head] = waiter;
    this.#length++;
    this.#live++;
    waiter.inQueue = true;
    // The head slot holds nothing for the single timer, so the expired prefix grows by one.
    if (waiter.hasOwnTimer) this.#expiredPrefix++;
    else this.#expiredPrefix = 0;
  }

  /** The oldest live waiter, removed from the queue; undefined when none. */
  shift(): Waiter<T> | undefined {
    if (this.#length === 0) return undefined;
    const waiter = this.#items[this.#head] as Waiter<T>; // live: see the invariant
    this.#dropHead();
    waiter.inQueue = false;
    this.#live--;
    this.#trimHead();
    return waiter;
  }

  /** Stops counting a waiter that settled on its own (abort, own timer); its slot goes once it reaches the head. */
  forget(waiter: Waiter<T>): void {
    if (!waiter.inQueue) return;
    waiter.inQueue = false;
    this.#live--;
    this.#trimHead();
  }

  /** Removes every live waiter, oldest first (pool close). */
  drain(): Waiter<T>[] {
    this.#disarm();
    const live: Waiter<T>[] = [];
    for (let waiter = this.shift(); waiter !== undefined; waiter = this.shift()) live.push(waiter);
    return live;
  }

  #grow(): void {
    const capacity = this.#items.length * 2;
    const items = new Array<Waiter<T> | undefined>(capacity).fill(undefined);
    for (let k = 0; k < this.#length; k++) items[k] = this.#items[(this.#head + k) & this.#mask];
    this.#items = items;
    this.#mask = capacity - 1;
    this.#head = 0;
  }

  /** An emptied queue gives back what a spike made it grow to. */
  #reset(): void {
    this.#items = new Array<Waiter<T> | undefined>(INITIAL_CAPACITY).fill(undefined);
    this.#mask = INITIAL_CAPACITY - 1;
    this.#head = 0;
    this.#expiredPrefix = 0;
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

  /**
   * Fails every waiter past the default deadline and re-arms for the next. Default-timeout waiters
   * are in deadline order, so the scan stops at the first that is not due; it resumes after the
   * prefix it cleared, so waiters with timers of their own are stepped over once, not every time.
   */
  #expire(): void {
    this.#timer = undefined;
    this.#timerDeadline = Infinity;
    const now = this.#clock.now();
    for (let k = this.#expiredPrefix; k < this.#length; k++) {
      const i = (this.#head + k) & this.#mask;
      const waiter = this.#items[i];
      if (!isLive(waiter) || waiter.hasOwnTimer) continue;
      const deadline = waiter.enqueuedAt + this.#timeoutMs;
      if (deadline > now) {
        this.#expiredPrefix = k;
        this.#arm(deadline);
        break;
      }
      this.#items[i] = undefined;
      waiter.inQueue = false;
      this.#live--;
      this.#onExpired(waiter);
    }
    if (this.#timer === undefined) this.#expiredPrefix = this.#length;
    this.#trimHead();
  }

  /**
   * Drops settled waiters from the head. Expired waiters are mostly at the head, and while the
   * server is down nothing is served (so nothing shifts): without this, an outage under steady
   * traffic would keep a slot for every acquire that ever timed out.
   */
  #trimHead(): void {
    while (this.#length > 0 && !isLive(this.#items[this.#head])) this.#dropHead();
    if (this.#length === 0 && this.#items.length > KEPT_CAPACITY) this.#reset();
  }

  #dropHead(): void {
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    if (this.#expiredPrefix > 0) this.#expiredPrefix--;
  }

  /** Test hook: the deadline the single timer is armed for. */
  get armedDeadline(): number {
    return this.#timerDeadline;
  }
}
