import { ScopeFinishedError } from '../errors.js';
import type { Pool } from '../pool.js';
import type { PoolConnection } from '../lease/pool-connection.js';

export interface ConnectionScopeOptions {
  /** Turns an acquire failure into what the framework expects (e.g. an HTTP 503) before callers see it. */
  mapError?: (error: unknown) => unknown;
}

/** One pool's connection within a scope: lent at once, or still queued (then withdrawable). */
interface Borrow {
  readonly name: string;
  readonly promise: Promise<PoolConnection>;
  /** Known once lent; finish() releases it without waiting on a promise. */
  lease: PoolConnection | undefined;
  /** Set while queued: aborting it withdraws the acquire. */
  withdraw: AbortController | undefined;
  /** The release of a lease granted after finish(), done before its caller sees it. */
  released?: Promise<void>;
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
 * Built on the pool's public API: `tryAcquire()` when a connection is idle (the common case: one
 * small record and one resolved promise), else `acquire({ signal })`, withdrawn by aborting it.
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
    let lease: PoolConnection | undefined;
    try {
      lease = pool.closed ? undefined : pool.tryAcquire();
    } catch (error) {
      return Promise.reject(this.#mapped(error));
    }
    const borrow: Borrow = lease !== undefined ? { name, promise: Promise.resolve(lease), lease, withdraw: undefined } : this.#queue(name, pool);
    this.#borrows.push(borrow);
    return borrow.promise;
  }

  /** The slow path: wait in the pool's queue; finish() withdraws the acquire by aborting it. */
  #queue(name: string, pool: Pool): Borrow {
    const withdraw = new AbortController();
    const borrow: Borrow = {
      name,
      promise: pool.acquire({ signal: withdraw.signal }).then(
        (lease) => {
          borrow.lease = lease;
          borrow.withdraw = undefined;
          // Granted in the same tick as finish(): the scope is over, so is the lease.
          if (this.#finished) borrow.released = lease.release();
          return lease;
        },
        (error: unknown) => {
          borrow.withdraw = undefined;
          throw this.#mapped(error);
        },
      ),
      lease: undefined,
      withdraw,
    };
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
 * Releases a lent connection, or withdraws a queued acquire. A grant that came first (before the
 * scope saw it) is released by the borrow's own continuation, which sees the scope finished.
 */
function settle(borrow: Borrow): Promise<void> {
  if (borrow.lease !== undefined) return borrow.lease.release();
  borrow.withdraw?.abort(new ScopeFinishedError(borrow.name));
  return borrow.promise.then(() => borrow.released, NOOP);
}
