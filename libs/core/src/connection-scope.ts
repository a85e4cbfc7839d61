import { ScopeFinishedError } from './errors.js';
import type { Pool } from './pool.js';
import type { PoolConnection } from './pool-connection.js';

/**
 * One unit of work's connections (for frameworks: one HTTP request), one per pool name, borrowed
 * on first use and memoized. `finish()` is the single place they are released; it is idempotent,
 * aborts acquires still waiting (a client that went away never takes a connection), and a
 * connection that arrives after it is released on arrival.
 */
export class ConnectionScope {
  readonly #pending = new Map<string, Promise<PoolConnection>>();
  #abort: AbortController | undefined;
  /** Acquires still waiting; only those need aborting (an abort builds an error: not free). */
  #waiting = 0;
  #finished = false;

  /** The scope's connection from `pool`, registered under `name`. */
  get(name: string, pool: Pool): Promise<PoolConnection> {
    if (this.#finished) return Promise.reject(new ScopeFinishedError(name));
    let conn = this.#pending.get(name);
    if (conn === undefined) {
      const now = pool.closed ? undefined : pool.tryAcquire();
      conn = now !== undefined ? Promise.resolve(now) : this.#wait(name, pool);
      this.#pending.set(name, conn);
    }
    return conn;
  }

  /** The slow path: wait in the pool's queue, cancellable by finish(). */
  #wait(name: string, pool: Pool): Promise<PoolConnection> {
    this.#abort ??= new AbortController();
    this.#waiting++;
    return pool.acquire({ signal: this.#abort.signal }).then(
      (c) => {
        this.#waiting--;
        if (!this.#finished) return c;
        void c.release();
        throw new ScopeFinishedError(name);
      },
      (error: unknown) => {
        this.#waiting--;
        throw error;
      },
    );
  }

  /** True once finish() ran. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Releases every connection of the scope; idempotent. Resolves when they are back in their pools. */
  async finish(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#waiting > 0) this.#abort?.abort(new ScopeFinishedError('*'));
    await Promise.all([...this.#pending.values()].map((conn) => conn.then((c) => c.release(), () => undefined)));
  }
}
