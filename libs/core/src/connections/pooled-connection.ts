import type { TimerHandle } from '../time/clock.js';
import type { DriverConnection } from '../driver/connector.js';
import { StatementTimeoutError } from '../errors.js';

/**
 * - `idle`: in the idle stack, ready to lend.
 * - `checking`: taken out of idle for a ping (pre-lend or health check).
 * - `borrowed`: lent, or being cleaned up after release (rollback/reset) before it is idle again.
 * - `closed`: removed from the pool; its socket is closing or closed.
 */
export type PooledConnectionState = 'idle' | 'checking' | 'borrowed' | 'closed';

/**
 * The pool's entry for one open connection. Internal: users hold a {@link PoolConnection} lease.
 *
 * The times are `declare`d, so they come into being when the constructor assigns them a number.
 * A plain declaration would first define each as undefined (ES2022 class fields), and V8 would
 * then keep the field as a tagged pointer: every store of a time would box a fresh number into
 * this long-lived object, a write barrier each. As a number field, it is overwritten in place.
 */
export class PooledConnection {
  readonly raw: DriverConnection;
  declare readonly createdAt: number;
  /** When to retire it (createdAt + maxLifetime − jitter); Infinity for no limit. */
  declare readonly expiresAt: number;
  /** drain() bumps the pool's generation; older connections are replaced. */
  readonly generation: number;
  /** The session's autocommit mode as opened (session settings included): what every borrower gets. */
  readonly autocommit: boolean;
  /** Changed only through borrow(), check(), toIdle() and retire(). */
  state: PooledConnectionState = 'idle';
  /** Last time it went idle, for idle eviction. */
  declare idleSince: number;
  /** Last time it was known alive (returned by a borrower, or answered a ping). */
  declare lastAliveAt: number;
  borrowedAt = 0;
  /**
   * Which lending this is (see endLease). A lease is valid while it matches, so the entry needs no
   * pointer to its lease: storing a new lease object into this long-lived entry at every borrow
   * would cost a write barrier.
   */
  leaseId = 0;
  /** The driver reported the socket gone; never lend it again. */
  lost = false;
  leakTimer: TimerHandle | undefined;
  acquireStack: string | undefined;
  leakReported = false;
  /**
   * Statements sent through a lease and not settled yet. The connection goes back to idle (or to
   * the next borrower) only at 0: a statement of an ended lease that completes later (a BEGIN, a
   * SET, a lock) would otherwise land in the next borrower's session.
   */
  inFlight = 0;
  /** Bumped whenever a statement settles or starts on a quiet connection: the statement watch's sign of progress. */
  progress = 0;
  /** The statement watch's last reading of `progress`, and since when it has not moved (ms). */
  watchedProgress = -1;
  watchedSince = 0;
  /** Longest per-statement `timeout` (ms) among the statements in flight, 0 when none gave one. */
  statementTimeoutMs = 0;
  /** Set when the statement watch destroyed the connection: its statements fail with StatementTimeoutError. */
  timedOutAfterMs = 0;
  #onQuiet: (() => void) | undefined;
  readonly #settled = <T>(value: T): T => {
    this.#done();
    return value;
  };
  readonly #failed = (error: unknown): never => {
    this.#done();
    throw this.timedOutAfterMs > 0 ? new StatementTimeoutError(this.raw.threadId, this.timedOutAfterMs, error) : error;
  };

  constructor(raw: DriverConnection, now: number, expiresAt: number, generation: number) {
    this.raw = raw;
    this.createdAt = now;
    this.idleSince = now;
    this.lastAliveAt = now;
    this.expiresAt = expiresAt;
    this.generation = generation;
    this.autocommit = raw.autocommit();
  }

  /** Lends it: a new lease id (the previous lease, if any, is dead), borrowed since `now`. */
  borrow(now: number): void {
    this.state = 'borrowed';
    this.borrowedAt = now;
    this.endLease();
  }

  /** Taken out of the idle stack for a ping (pre-lend or health check). */
  check(): void {
    this.state = 'checking';
  }

  /**
   * Ready to lend. `returned`: a borrower gave it back a moment ago, so it is alive now and its
   * idle clock restarts; a connection back from a check keeps its idle age.
   */
  toIdle(now: number, returned: boolean): void {
    this.state = 'idle';
    if (!returned) return;
    this.idleSince = now;
    this.lastAliveAt = now;
  }

  /** Leaves the pool for good: false when it already had. Its lease, if any, is revoked. */
  retire(): boolean {
    if (this.state === 'closed') return false;
    this.state = 'closed';
    this.endLease();
    return true;
  }

  /**
   * Ends the current lease, if any: every method of it then fails with ConnectionReleasedError.
   * Called before each lend (the new lease takes the new id) and to revoke a lease the pool takes
   * back. Wraps within 32 bits, so the id stays a small integer.
   */
  endLease(): void {
    this.leaseId = (this.leaseId + 1) | 0;
  }

  /**
   * Counts a statement in flight until it settles. Returns the promise the caller gets: it settles
   * after the count went down, so whoever awaits a statement and then releases finds the
   * connection quiet.
   */
  track<T>(statement: Promise<T>): Promise<T> {
    if (this.inFlight++ === 0) this.progress++;
    return statement.then(this.#settled, this.#failed);
  }

  /** Resolves once no statement is in flight (at once when none is). */
  whenQuiet(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => (this.#onQuiet = resolve));
  }

  #done(): void {
    this.progress++;
    if (--this.inFlight > 0) return;
    this.statementTimeoutMs = 0;
    const onQuiet = this.#onQuiet;
    this.#onQuiet = undefined;
    onQuiet?.();
  }

  /** True when it must not be lent again: lost (or its socket closed), too old, or from before a drain(). */
  isRetired(now: number, generation: number): boolean {
    return this.lost || now >= this.expiresAt || this.generation !== generation || !this.raw.isValid();
  }

  /** isRetired() without the socket check, for a connection whose socket was just checked. */
  isOutdated(now: number, generation: number): boolean {
    return this.lost || now >= this.expiresAt || this.generation !== generation;
  }
}
