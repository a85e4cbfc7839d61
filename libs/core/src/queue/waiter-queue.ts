import type { Clock, TimerHandle } from '../time/clock.js';
import type { Queued, Waiter } from './waiter.js';

/** False for an emptied slot, or a Waiter that settled on its own (already uncounted). */
function isLive<T>(queued: Queued<T> | undefined): queued is Queued<T> {
  return queued !== undefined && (typeof queued === 'function' || queued.inQueue);
}

/** Ring capacity a queue starts with (a power of two). */
const INITIAL_CAPACITY = 64;
/** An emptied queue larger than this shrinks back: a spike's arrays are not kept for good. */
const KEPT_CAPACITY = 1024;

/**
 * The FIFO of pending acquires, served strictly in arrival order. It is a ring of two parallel
 * arrays: what each acquire is (its resolve function, or a Waiter) and when it queued (a
 * Float64Array, so no timestamp is boxed). A plain acquire costs one slot of each and nothing
 * else (see Waiter for why that matters).
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
  readonly #onExpired: (queued: Queued<T>, enqueuedAt: number) => void;
  #items: (Queued<T> | undefined)[] = new Array<Queued<T> | undefined>(INITIAL_CAPACITY).fill(undefined);
  #times = new Float64Array(INITIAL_CAPACITY);
  #mask = INITIAL_CAPACITY - 1;
  #head = 0;
  /** Occupied slots, settled ones included. */
  #length = 0;
  #live = 0;
  /** Slots from the head known to hold no waiter for the single timer: where expiry resumes. */
  #expiredPrefix = 0;
  #timer: TimerHandle | undefined;
  #timerDeadline = Infinity;
  /** When the waiter `shift()` returned last was queued (ms, pool clock). */
  shiftedAt = 0;

  constructor(clock: Clock, timeoutMs: number, onExpired: (queued: Queued<T>, enqueuedAt: number) => void) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
    this.#onExpired = onExpired;
  }

  /** Live (unsettled, queued) waiters. */
  get size(): number {
    return this.#live;
  }

  /** Queues at the tail. A Waiter's `enqueuedAt` must be `enqueuedAt`. */
  push(queued: Queued<T>, enqueuedAt: number): void {
    if (this.#length === this.#items.length) this.#grow();
    const i = (this.#head + this.#length) & this.#mask;
    this.#items[i] = queued;
    this.#times[i] = enqueuedAt;
    this.#length++;
    this.#live++;
    if (typeof queued !== 'function') {
      queued.inQueue = true;
      if (queued.hasOwnTimer) return;
    }
    if (this.#timer === undefined) this.#arm(enqueuedAt + this.#timeoutMs);
  }

  /**
   * Puts a Waiter back at the head (its connection failed the pre-lend check), so it keeps its
   * turn. It has a timer of its own since it left (see Pool), so the single timer skips it.
   */
  unshift(waiter: Waiter<T>): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#items[this.#head] = waiter;
    this.#times[this.#head] = waiter.enqueuedAt;
    this.#length++;
    this.#live++;
    waiter.inQueue = true;
    // The head slot holds nothing for the single timer, so the expired prefix grows by one.
    if (waiter.hasOwnTimer) this.#expiredPrefix++;
    else this.#expiredPrefix = 0;
  }

  /** The oldest live waiter, removed from the queue (its enqueue time in `shiftedAt`); undefined when none. */
  shift(): Queued<T> | undefined {
    if (this.#length === 0) return undefined;
    const queued = this.#items[this.#head] as Queued<T>; // live: see the invariant
    this.shiftedAt = this.#times[this.#head] as number;
    this.#dropHead();
    if (typeof queued !== 'function') queued.inQueue = false;
    this.#live--;
    this.#trimHead();
    return queued;
  }

  /** Stops counting a Waiter that settled on its own (abort, own timer); its slot goes once it reaches the head. */
  forget(waiter: { inQueue: boolean }): void {
    if (!waiter.inQueue) return;
    waiter.inQueue = false;
    this.#live--;
    this.#trimHead();
  }

  /** Removes every live waiter, oldest first (pool close). */
  drain(): Queued<T>[] {
    this.#disarm();
    const live: Queued<T>[] = [];
    for (let queued = this.shift(); queued !== undefined; queued = this.shift()) live.push(queued);
    return live;
  }

  #grow(): void {
    const capacity = this.#items.length * 2;
    const items = new Array<Queued<T> | undefined>(capacity).fill(undefined);
    const times = new Float64Array(capacity);
    for (let k = 0; k < this.#length; k++) {
      const i = (this.#head + k) & this.#mask;
      items[k] = this.#items[i];
      times[k] = this.#times[i] as number;
    }
    this.#items = items;
    this.#times = times;
    this.#mask = capacity - 1;
    this.#head = 0;
  }

  /** An emptied queue gives back what a spike made it grow to. */
  #reset(): void {
    this.#items = new Array<Queued<T> | undefined>(INITIAL_CAPACITY).fill(undefined);
    this.#times = new Float64Array(INITIAL_CAPACITY);
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
      const queued = this.#items[i];
      if (!isLive(queued) || (typeof queued !== 'function' && queued.hasOwnTimer)) continue;
      const enqueuedAt = this.#times[i] as number;
      const deadline = enqueuedAt + this.#timeoutMs;
      if (deadline > now) {
        this.#expiredPrefix = k;
        this.#arm(deadline);
        break;
      }
      this.#items[i] = undefined;
      if (typeof queued !== 'function') queued.inQueue = false;
      this.#live--;
      this.#onExpired(queued, enqueuedAt);
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
