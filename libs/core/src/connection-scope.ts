import { ScopeFinishedError } from './errors.js';
import { queueAcquire, type Pool } from './pool.js';
import type { PoolConnection } from './pool-connection.js';

export interface ConnectionScopeOptions {
  /** Turns an acquire failure into what the framework expects (e.g. an HTTP 503) before callers see it. */
  mapError?: (error: unknown) => unknown;
}

/** One pool's connection within a scope: lent at once, or still queued (then cancellable). */
interface Borrow {
  readonly name: string;
  promise: Promise<PoolConnection>;
  /** Known once lent; finish() releases it without waiting on a promise. */
  lease: PoolConnection | undefined;
  /** Set while queued. */
  cancel: ((reason: unknown) => void) | undefined;
}

const RESOLVED: Promise<void> = Promise.resolve();
const NOOP = (): void => {};

/**
 * One unit of work's connections (for frameworks: one HTTP request), one per pool name, borrowed
 * on first use and memoized. `finish()` is the single place they are released; it is idempotent,
 * withdraws acquires still queued (a client that went away never takes a connection), and a
 * connection that arrives after it is released on arrival.
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
        ? { name, promise: Promise.resolve(lease), lease, cancel: undefined }
        : this.#queue(name, pool);
    this.#borrows.push(borrow);
    return borrow.promise;
  }

  /** The slow path: wait in the pool's queue, withdrawn by finish(). */
  #queue(name: string, pool: Pool): Borrow {
    const queued = queueAcquire(pool);
    const borrow: Borrow = { name, promise: undefined as never, lease: undefined, cancel: queued.cancel };
    borrow.promise = queued.promise.then(
      (conn) => {
        borrow.cancel = undefined;
        if (!this.#finished) return (borrow.lease = conn);
        void conn.release();
        throw this.#mapped(new ScopeFinishedError(name));
      },
      (error: unknown) => {
        borrow.cancel = undefined;
        throw this.#mapped(error);
      },
    );
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

/** Releases a lent connection, or withdraws a queued acquire (released on arrival if it wins the race). */
function settle(borrow: Borrow): Promise<void> {
  if (borrow.lease !== undefined) return borrow.lease.release();
  borrow.cancel?.(new ScopeFinishedError(borrow.name));
  return borrow.promise.then(NOOP, NOOP);
}
