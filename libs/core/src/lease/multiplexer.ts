import type { PoolConnection } from './pool-connection.js';

/** A borrowed connection shared by several in-flight statements. */
interface Shared {
  lease: PoolConnection;
  inFlight: number;
  /** Takes no new statements; released when its in-flight ones are done. */
  retiring: boolean;
}

type Slot = { resolve: (s: Shared) => void; reject: (e: unknown) => void };

/** What the multiplexer needs of its pool. */
export interface MultiplexerHost {
  acquire(): Promise<PoolConnection>;
  /** Callers waiting in the pool's queue (the multiplexer's own acquires included). */
  waiting(): number;
  /** The pool's current maxSize: the multiplexer never asks for more. */
  maxSize(): number;
}

/**
 * Opt-in multiplexing for `pool.query()` / `pool.execute()` (`maxPipelineDepth` > 1), after
 * Npgsql's multiplexing mode: a stateless autocommit statement goes to the least-loaded borrowed
 * connection with fewer than `depth` statements in flight (the driver pipelines them) instead of
 * waiting for an exclusive borrow.
 *
 * - Each statement keeps its own promise: errors and results reach the right caller.
 * - More connections are borrowed only when every shared one is full: one per `depth` waiting
 *   statements, through the pool's FIFO like everyone else.
 * - Exclusive borrowers are never starved: while any wait, shared connections take no new
 *   statements and go back to the pool as soon as they drain; a shared connection also goes back
 *   whenever it has nothing in flight.
 * - Trade-off: statements on one connection complete in order, so a slow statement delays the (at
 *   most depth − 1) statements queued behind it on the same connection. Keep slow queries and
 *   anything that changes session state (SET, BEGIN, temporary tables) on an exclusive `acquire()`.
 */
export class Multiplexer {
  readonly #host: MultiplexerHost;
  readonly #depth: number;
  readonly #shared: Shared[] = [];
  readonly #waiting: Slot[] = [];
  #acquiring = 0;

  constructor(host: MultiplexerHost, depth: number) {
    this.#host = host;
    this.#depth = depth;
  }

  async run<T>(op: (conn: PoolConnection) => Promise<T>): Promise<T> {
    const shared = this.#reserve() ?? (await this.#waitForSlot());
    try {
      return await op(shared.lease);
    } finally {
      shared.inFlight--;
      this.#slotFreed(shared);
    }
  }

  /** The least-loaded shared connection with room, its slot reserved; undefined when all are full. */
  /** Exclusive borrowers are waiting: the pool's queue holds more than the multiplexer's own acquires. */
  #othersWait(): boolean {
    return this.#host.waiting() > this.#acquiring;
  }

  #reserve(): Shared | undefined {
    if (this.#othersWait()) this.#retireAll();
    let best: Shared | undefined;
    for (const s of this.#shared) {
      if (!s.retiring && s.inFlight < this.#depth && (best === undefined || s.inFlight < best.inFlight)) best = s;
    }
    if (best !== undefined) best.inFlight++;
    return best;
  }

  #waitForSlot(): Promise<Shared> {
    return new Promise<Shared>((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#grow();
    });
  }

  /** Borrows one more connection per `depth` statements still without a slot, up to the pool's size. */
  #grow(): void {
    while (this.#acquiring * this.#depth < this.#waiting.length && this.#acquiring + this.#shared.length < this.#host.maxSize()) {
      this.#acquiring++;
      this.#host.acquire().then(
        (lease) => {
          this.#acquiring--;
          const shared: Shared = { lease, inFlight: 0, retiring: false };
          this.#shared.push(shared);
          this.#slotFreed(shared);
        },
        (error: unknown) => {
          this.#acquiring--;
          // The statements this borrow was for fail with its error (timeout, pool closed).
          for (const slot of this.#waiting.splice(0, this.#depth)) slot.reject(error);
          if (this.#waiting.length > 0) this.#grow();
        },
      );
    }
  }

  /** Hands free slots to waiting statements, or gives the connection back when it is idle or retiring. */
  #slotFreed(shared: Shared): void {
    if (this.#othersWait()) shared.retiring = true;
    while (!shared.retiring && shared.inFlight < this.#depth && this.#waiting.length > 0) {
      shared.inFlight++;
      (this.#waiting.shift() as Slot).resolve(shared);
    }
    if (shared.inFlight === 0) {
      this.#shared.splice(this.#shared.indexOf(shared), 1);
      void shared.lease.release();
      if (this.#waiting.length > 0) this.#grow();
    }
  }

  #retireAll(): void {
    for (const s of this.#shared) s.retiring = true;
  }
}
