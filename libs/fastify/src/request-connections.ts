import type { Pool, PoolConnection } from '@mariapool/core';
import { RequestFinishedError } from './errors.js';

/**
 * The connections one request has borrowed, one per pool name. `finish()` is the single place they
 * are released; it runs when the request ends, whichever way, and is idempotent. It also aborts
 * acquires still waiting, so a client that went away never takes a connection.
 *
 * Why an own AbortController rather than Fastify's `request.signal`: on Node 20 that signal follows
 * the IncomingMessage 'close' event, which fires as soon as a POST body has been read, i.e. while
 * the handler is still running (measured with Fastify 5.12). It would cancel healthy acquires.
 */
export class RequestConnections {
  readonly #pending = new Map<string, Promise<PoolConnection>>();
  #abort: AbortController | undefined;
  #finished = false;

  get(name: string, pool: Pool): Promise<PoolConnection> {
    if (this.#finished) return Promise.reject(new RequestFinishedError(name));
    let conn = this.#pending.get(name);
    if (conn === undefined) {
      this.#abort ??= new AbortController();
      conn = pool.acquire({ signal: this.#abort.signal }).then((c) => {
        if (!this.#finished) return c;
        void c.release();
        throw new RequestFinishedError(name);
      });
      this.#pending.set(name, conn);
    }
    return conn;
  }

  /** The connection already requested from `name`, if any. */
  peek(name: string): Promise<PoolConnection> | undefined {
    return this.#pending.get(name);
  }

  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#abort?.abort(new RequestFinishedError('*'));
    for (const conn of this.#pending.values()) {
      conn.then((c) => c.release(), () => undefined);
    }
  }
}
