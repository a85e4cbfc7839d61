import type { Readable } from 'node:stream';
import type { DriverConnection, QueryValues, Statement } from '../driver/connector.js';
import { ConnectionReleasedError } from '../errors.js';
import type { PooledConnection } from '../connections/pooled-connection.js';
import './dispose-symbol.js';

/** What a lease needs from its pool. Kept as an interface so the pool's internals stay private. */
export interface LeaseOwner {
  readonly name: string;
  /** Takes the connection back. `destroy` evicts it instead of reusing it. Never rejects. */
  giveBack(entry: PooledConnection, destroy: boolean): Promise<void>;
}

const RESOLVED: Promise<void> = Promise.resolve();
const NOOP = (): void => {};

/**
 * A borrowed connection. Valid until `release()` (or `destroy()`, or `await using` scope end);
 * afterwards every method throws ConnectionReleasedError, even if the pool has lent the same
 * socket to someone else, so a stale reference can never run statements on another borrower's
 * session. Each borrow gets its own lease object.
 */
export class PoolConnection {
  #owner: LeaseOwner;
  /** null once released; also dead once the pool ended this lending (see #live). */
  #entry: PooledConnection | null;
  /** The entry's leaseId when lent. */
  readonly #id: number;
  #threadId: number | null;

  /** @internal Created by the pool only, right after `entry.endLease()` gave it a new id. */
  constructor(owner: LeaseOwner, entry: PooledConnection) {
    this.#owner = owner;
    this.#entry = entry;
    this.#id = entry.leaseId;
    this.#threadId = entry.raw.threadId;
  }

  /** The connection while this lease is valid: not released, not revoked by the pool. */
  #live(): PooledConnection | null {
    const entry = this.#entry;
    return entry !== null && entry.leaseId === this.#id ? entry : null;
  }

  /** The server's connection id (`CONNECTION_ID()`), also after release. */
  get threadId(): number | null {
    return this.#threadId;
  }

  /** True once released or destroyed. */
  get released(): boolean {
    return this.#live() === null;
  }

  /** Runs a statement with the text protocol; `?` placeholders take `values`. */
  query<T = any>(sql: Statement, values?: QueryValues): Promise<T> {
    const entry = this.#live();
    if (entry === null) return Promise.reject(new ConnectionReleasedError(this.#owner.name, 'query'));
    if (typeof sql !== 'string') noteTimeout(entry, sql);
    return entry.track(entry.raw.query(sql, values));
  }

  /** Runs a prepared statement (binary protocol; the driver caches the prepare). */
  execute<T = any>(sql: Statement, values?: QueryValues): Promise<T> {
    const entry = this.#live();
    if (entry === null) return Promise.reject(new ConnectionReleasedError(this.#owner.name, 'execute'));
    if (typeof sql !== 'string') noteTimeout(entry, sql);
    return entry.track(entry.raw.execute(sql, values));
  }

  /**
   * Streams a result set row by row, with backpressure (a slow consumer pauses the socket). The
   * statement counts as in flight until the server's whole answer is read, so a release (or a
   * request that ends) while the stream runs waits for it; destroying the stream early drops the
   * rest of the rows. Stream errors arrive as the stream's 'error'.
   */
  queryStream(sql: Statement, values?: QueryValues): Readable {
    const entry = this.#live();
    if (entry === null) throw new ConnectionReleasedError(this.#owner.name, 'queryStream');
    const { rows, done } = entry.raw.queryStream(sql, values);
    // The stream itself carries the error to its consumer; the count only needs the settling.
    entry.track(done).catch(NOOP);
    return rows;
  }

  /** Runs one statement for each set of values, in bulk where the server supports it. */
  batch<T = any>(sql: Statement, values: QueryValues): Promise<T> {
    const entry = this.#live();
    if (entry !== null && typeof sql !== 'string') noteTimeout(entry, sql);
    return this.#use('batch', (raw) => raw.batch(sql, values));
  }

  beginTransaction(): Promise<void> {
    return this.#use('beginTransaction', (raw) => raw.beginTransaction());
  }

  commit(): Promise<void> {
    return this.#use('commit', (raw) => raw.commit());
  }

  /** Rolls back; no round trip when the server says no transaction is open. */
  rollback(): Promise<void> {
    return this.#use('rollback', (raw) => raw.rollback());
  }

  ping(): Promise<void> {
    return this.#use('ping', (raw) => raw.ping());
  }

  /**
   * True while a transaction is open on this session (server status flag; no round trip). After a
   * failed statement it reads true until the next statement succeeds: the driver cannot tell
   * whether the failure left a transaction open, so it assumes one.
   */
  get inTransaction(): boolean {
    return this.#live()?.raw.inTransaction() ?? false;
  }

  /**
   * Returns the connection to the pool. Idempotent; the lease is dead at once. With statements
   * still in flight (one not awaited, a request ended mid-statement) the pool first waits for them
   * to settle, so nothing they do can reach the next borrower; resolves once the pool has taken the
   * connection back.
   */
  release(): Promise<void> {
    const entry = this.#live();
    if (entry === null) return RESOLVED;
    this.#entry = null;
    return this.#owner.giveBack(entry, false);
  }

  /** Closes the connection instead of reusing it (e.g. its session state is unknown). Idempotent. */
  destroy(): Promise<void> {
    const entry = this.#live();
    if (entry === null) return RESOLVED;
    this.#entry = null;
    return this.#owner.giveBack(entry, true);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  /** Runs a statement on the live connection, counted in flight until it settles. */
  #use<R>(method: string, run: (raw: DriverConnection) => Promise<R>): Promise<R> {
    const entry = this.#live();
    return entry === null ? Promise.reject(new ConnectionReleasedError(this.#owner.name, method)) : entry.track(run(entry.raw));
  }

  toString(): string {
    return `PoolConnection(pool "${this.#owner.name}", thread ${this.#threadId}${this.released ? ', released' : ''})`;
  }
}

/** A statement given as `{ sql, timeout }` (the driver's per-statement limit, ms) may run longer than queryTimeoutMs. */
function noteTimeout(entry: PooledConnection, statement: Exclude<Statement, string>): void {
  const ms = statement['timeout'];
  if (typeof ms === 'number' && ms > entry.statementTimeoutMs) entry.statementTimeoutMs = ms;
}

/*
 * Every promise resolved with a lease first looks up `then` on it, to know whether it must be
 * adopted as a thenable; on a plain class instance that walks the prototype chain to
 * Object.prototype on every borrow. Found on the lease's own prototype, the lookup stops there
 * (the cost is in docs/performance.md). A lease is not a thenable, and this says so; hidden from
 * enumeration and from the typings.
 */
Object.defineProperty(PoolConnection.prototype, 'then', { value: undefined, writable: false, enumerable: false, configurable: false });
