import { ScopeFinishedError } from '../errors.js';
import { queueAcquire, withdrawAcquire, type Pool } from '../pool.js';
import { PoolConnection } from '../lease/pool-connection.js';
import { rejectThrough, type Resolve, type Waiter } from '../queue/waiter.js';

export interface ConnectionScopeOptions {
  /** Turns an acquire failure into what the framework expects (e.g. an HTTP 503) before callers see it. */
  mapError?: (error: unknown) => unknown;
}

/** One pool's connection within a scope: lent at once, or still queued (then withdrawable). */
interface Borrow {
  readonly name: string;
  readonly pool: Pool;
  promise: Promise<PoolConnection>;
  /** Known once lent; finish() releases it without waiting on a promise. */
  lease: PoolConnection | undefined;
  /** Set while queued. */
  waiter: Waiter<PoolConnection> | undefined;
}

const RESOLVED: Promise<void> = Promise.resolve();
const NOOP = (): void => {};

/**
 * One unit of work's connections (for frameworks: one HTTP request), one per pool name, borrowed
 * on first use and memoized. `finish()` is the single place they are released; it is idempotent,
 * withdraws acquires still queued (a client that went away never takes a connection), and
 * releases every connection granted before it, also one its caller has not seen yet (that caller
 * then gets a released lease, whose methods throw ConnectionReleasedError).
 *
 * It sits on every request's path, so the common case (one pool, an idle connection) allocates
 * one small record and one resolved promise, and finish() releases without a promise chain.
 */
export class ConnectionScope {
  /** One per pool name; nearly always exactly one, so a short array beats a Map. */
  readonly #borrows: Borrow[] = [];
  readonly #mapError: ((error: unknown) => unknown) | undefined;
  #finished = false;

  constructor(options: ConnectionScopeOptions = {}) {
    this.#mapError = options.mapError;
  }

  /** The scope's connection from `pool`, registered under `name`. */
  get(name: string, pool: Pool): Promise<PoolConnection> {
    if (this.#finished) return Promise.reject(this.#mapped(new ScopeFinishedError(name)));
    for (const b of this.#borrows) if (b.name === name) return b.promise;
    const lease = pool.closed ? undefined : pool.tryAcquire();
    const borrow: Borrow =
      lease !== undefined
        ? { name, pool, promise: Promise.resolve(lease), lease, waiter: undefined }
        : this.#queue(name, pool);
    this.#borrows.push(borrow);
    return borrow.promise;
  }

  /**
   * The slow path: wait in the pool's queue, withdrawn by finish(). The queue settles the borrow
   * synchronously at grant (see AcquireQueue.joinWith), so the lease is known at once and the
   * caller's promise is the only one: no `.then` hop between the pool and the request.
   */
  #queue(name: string, pool: Pool): Borrow {
    let resolve!: Resolve<PoolConnection>;
    const promise = new Promise<PoolConnection>((r) => (resolve = r));
    const borrow: Borrow = { name, pool, promise, lease: undefined, waiter: undefined };
    const settle: Resolve<PoolConnection> = (outcome) => {
      borrow.waiter = undefined;
      if (outcome instanceof PoolConnection) {
        borrow.lease = outcome;
        resolve(outcome);
      } else {
        // A failure arrives as a thenable that rejects at once (rejectThrough): map its error.
        void outcome.then(undefined, (error: unknown) => rejectThrough(resolve, this.#mapped(error)));
      }
    };
    try {
      borrow.waiter = queueAcquire(pool, settle);
    } catch (error) {
      rejectThrough(resolve, this.#mapped(error));
    }
    return borrow;
  }

  /** True once finish() ran. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Releases every connection of the scope; idempotent. Resolves when they are back in their pools. */
  finish(): Promise<void> {
    if (this.#finished) return RESOLVED;
    this.#finished = true;
    const borrows = this.#borrows;
    if (borrows.length === 0) return RESOLVED;
    if (borrows.length === 1) return settle(borrows[0] as Borrow);
    return Promise.all(borrows.map(settle)).then(NOOP);
  }

  #mapped(error: unknown): unknown {
    return this.#mapError === undefined ? error : this.#mapError(error);
  }
}

/**
 * Releases a lent connection, or withdraws a queued acquire. No grant can come after: a
 * withdrawn waiter is settled, and the pool keeps a connection that a settled waiter refuses.
 */
function settle(borrow: Borrow): Promise<void> {
  if (borrow.lease !== undefined) return borrow.lease.release();
  if (borrow.waiter !== undefined) withdrawAcquire(borrow.pool, borrow.waiter, new ScopeFinishedError(borrow.name));
  return borrow.promise.then(NOOP, NOOP);
}
