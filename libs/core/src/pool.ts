/*
 * Design note.
 *
 * Sets: `idle` (a stack: the most recently returned connection is lent first, so the others age
 * and can be evicted) and `all` (every open connection, whatever its state), both kept by the
 * ConnectionSet, which also pings and retires; `opening` (connects in flight, counted by the
 * ConnectionOpener); and `#waiters` (a FIFO of pending acquires, the AcquireQueue).
 * `borrowed` is derived: all − idle − checking.
 *
 * Invariants:
 * - size = #all.size + opening ≤ maxSize (a resize down lets borrowed connections finish).
 * - A connection is in exactly one state (idle | checking | borrowed | closed) and, while borrowed,
 *   has exactly one live lease. A lease is dead after release, so nothing can use a connection
 *   that was lent to someone else.
 * - A waiter is settled exactly once (Waiter.grant/fail return false afterwards); a connection is
 *   only handed to a waiter whose grant() succeeded, otherwise it goes back to idle.
 * - Waiters are served strictly in arrival order: while anyone waits, an idle connection goes to
 *   the head of the queue, never to a newcomer.
 * - A connection is idle or lent only while quiet: no statement sent by a lease is in flight
 *   (PooledConnection.inFlight = 0). A lease ends at once for its holder, but a connection released
 *   with statements in flight stays borrowed until they settle (bounded, else destroyed), and its
 *   release cleanup reads the server's state only then. So nothing a lease sent (BEGIN, SET, USE,
 *   GET_LOCK, a write) can complete inside the next lease's session.
 *
 * One reconciliation step, `#dispatch()`, runs after every transition (acquire, release, connect
 * done or failed, connection lost, housekeeping, resize, drain). It pairs idle connections with
 * waiters, then starts the connects that are actually needed.
 *
 * Time comes from an injected monotonic Clock; every timer is unref'd. Around this class: the
 * ConnectionOpener (connects, backoff), Housekeeping (idle eviction, health checks), LeakWatch,
 * the StatementWatch (statement deadlines) and the Multiplexer for pipelined pool.query().
 */
import { AcquireQueue, type AcquireOptions } from './queue/acquire-queue.js';
import { systemClock, type Clock } from './time/clock.js';
import type { Connector, DriverConnection, QueryValues, Statement } from './driver/connector.js';
import { isFatalConnectError } from './connections/connect-failure.js';
import { ConnectionOpener } from './connections/connection-opener.js';
import { ConnectionSet, MAX_CHECK_MS, MIN_PING_MS, retireReason } from './connections/connection-set.js';
import { withDeadline } from './time/deadline.js';
import { InvalidPoolOptionError, PoolClosedError, PoolOpenError } from './errors.js';
import { Housekeeping } from './housekeeping/housekeeping.js';
import { LeakWatch } from './observability/leak-watch.js';
import { expiryFor, needsPing } from './housekeeping/maintenance.js';
import { createMariaDbConnector } from './driver/mariadb-connector.js';
import { Multiplexer } from './lease/multiplexer.js';
import { restoreTransactionState, type DirtySession } from './connections/session-cleanup.js';
import { PoolConnection, type LeaseOwner } from './lease/pool-connection.js';
import type { PoolLogger } from './observability/pool-logger.js';
import { checkCallTimeout, checkSizes, resolvePoolOptions, type PoolOptions, type ResolvedPoolOptions } from './options/pool-options.js';
import { emptyStats, type PoolStats, type PoolStatus } from './observability/pool-status.js';
import { PooledConnection } from './connections/pooled-connection.js';
import { StatementWatch } from './connections/statement-watch.js';
import type { Waiter } from './queue/waiter.js';
import { inspect } from 'node:util';

/** Seams for tests and custom transports; users normally pass nothing. */
export interface PoolDependencies {
  connector?: Connector;
  clock?: Clock;
  random?: () => number;
}

type PoolState = 'new' | 'open' | 'closing' | 'closed';

/** Connects in flight at once while growing for waiters: a short spike must not open one per waiter. */
const MAX_GROWTH_CONNECTS = 2;
/** Connects in flight at once while filling up to minSize. */
const MAX_FILL_CONNECTS = 8;
const NOOP = (): void => {};

/** Per-call acquire options get the same checks as the pool's (bad input fails the call, nothing queued). */
function checkAcquireOptions(options: AcquireOptions): void {
  if (options.timeoutMs !== undefined) checkCallTimeout('acquire()', options.timeoutMs);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidPoolOptionError('signal', 'expected an AbortSignal', 'acquire()');
  }
}

/** Shared by every release that needs no cleanup: no promise allocated per release. */
const RESOLVED: Promise<void> = Promise.resolve();

export class Pool {
  readonly #o: ResolvedPoolOptions;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #log: PoolLogger | undefined;
  readonly #conns: ConnectionSet;
  readonly #waiters: AcquireQueue;
  readonly #stats = emptyStats();
  readonly #opener: ConnectionOpener;
  readonly #owner: LeaseOwner;
  readonly #multiplexer: Multiplexer | undefined;
  #minSize: number;
  #maxSize: number;
  #generation = 0;
  #state: PoolState = 'new';
  readonly #housekeeping: Housekeeping;
  readonly #statements: StatementWatch;
  readonly #leaks: LeakWatch;
  #closing: Promise<void> | undefined;

  constructor(options?: string | PoolOptions, deps: PoolDependencies = {}) {
    this.#o = resolvePoolOptions(options);
    this.#minSize = this.#o.minSize;
    this.#maxSize = this.#o.maxSize;
    this.#log = this.#o.logger;
    this.#clock = deps.clock ?? systemClock;
    this.#random = deps.random ?? Math.random;
    this.#opener = new ConnectionOpener({
      connector: deps.connector ?? createMariaDbConnector(this.#o.connection, { statementTimeoutMs: this.#o.queryTimeoutMs }),
      clock: this.#clock,
      random: this.#random,
      log: this.#log,
      poolName: this.#o.name,
      stats: this.#stats,
      events: {
        opened: (raw, generation) => this.#connected(raw, generation),
        failed: () => {
          this.#conns.settled.notify();
          return this.#state === 'open';
        },
        retryDue: () => this.#dispatch(),
        lost: (entry, error) => this.#onLost(entry, error),
      },
    });
    this.#waiters = new AcquireQueue({
      clock: this.#clock,
      poolName: this.#o.name,
      timeoutMs: this.#o.acquireTimeoutMs,
      maxWaiters: this.#o.maxWaiters,
      stats: this.#stats,
      status: () => this.status(),
      lastConnectError: () => this.#opener.lastError,
    });
    this.#leaks = new LeakWatch({
      thresholdMs: this.#o.leakDetectionThresholdMs,
      clock: this.#clock,
      log: this.#log,
      poolName: this.#o.name,
      onLeak: () => this.#stats.leaks++,
    });
    this.#conns = new ConnectionSet({ clock: this.#clock, stats: this.#stats, leaks: this.#leaks, log: this.#log, poolName: this.#o.name });
    this.#housekeeping = new Housekeeping({
      clock: this.#clock,
      conns: this.#conns,
      pool: {
        policy: () => ({ ...this.#o, minSize: this.#minSize }),
        size: () => this.#size(),
        generation: () => this.#generation,
        returnChecked: (entry) => this.#toIdle(entry, this.#clock.now(), false),
        dispatch: () => this.#dispatch(),
      },
    });
    this.#statements = new StatementWatch({
      clock: this.#clock,
      all: this.#conns.all,
      timeoutMs: this.#o.queryTimeoutMs,
      stats: this.#stats,
      log: this.#log,
      poolName: this.#o.name,
    });
    this.#owner = { name: this.#o.name, giveBack: (entry, destroy) => this.#giveBack(entry, destroy) };
    this.#multiplexer =
      this.#o.maxPipelineDepth > 1
        ? new Multiplexer({ acquire: () => this.acquire(), waiting: () => this.#waiters.size, maxSize: () => this.#maxSize }, this.#o.maxPipelineDepth)
        : undefined;
  }

  get name(): string {
    return this.#o.name;
  }

  /**
   * Open connections plus connects in flight: what maxSize bounds. A method, not a `get #size`:
   * V8 11 (Node 20) reads private accessors through a runtime call, where a method is inlined.
   */
  #size(): number {
    return this.#conns.size + this.#opener.opening;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#state === 'closing' || this.#state === 'closed';
  }

  /**
   * Opens the pool and resolves once minSize connections (at least one, to prove the settings)
   * are open. Rejects with PoolOpenError, after closing everything, when that takes longer than
   * `timeoutMs` or the server refuses the credentials. Idempotent once open.
   */
  async open(options: { timeoutMs?: number } = {}): Promise<this> {
    if (options.timeoutMs !== undefined) checkCallTimeout('open()', options.timeoutMs);
    if (this.closed) throw new PoolClosedError(this.name);
    this.#start();
    const wanted = Math.max(1, this.#minSize);
    const timeoutMs = options.timeoutMs ?? this.#o.acquireTimeoutMs;
    const startedAt = this.#clock.now();
    if (this.#conns.size < wanted) {
      try {
        await this.#untilOpened(wanted, timeoutMs);
      } catch (cause) {
        const opened = this.#conns.size;
        await this.close({ timeoutMs: 0 });
        throw new PoolOpenError({ poolName: this.name, elapsedMs: this.#clock.now() - startedAt, opened, wanted, cause });
      }
    }
    return this;
  }

  /**
   * Borrows a connection: an idle one at once when nobody waits, otherwise after everyone who
   * asked earlier. Rejects with AcquireTimeoutError at the deadline (pings and connects included),
   * AcquireAbortedError when `signal` aborts, PoolQueueFullError beyond maxWaiters, PoolClosedError.
   */
  acquire(options?: AcquireOptions): Promise<PoolConnection> {
    try {
      if (options !== undefined) checkAcquireOptions(options);
      this.#admit();
      if (this.#waiters.size === 0 && options?.signal?.aborted !== true) {
        // An idle connection lent at once needs neither the deadline nor the signal.
        const lease = this.#lendIdleNow();
        if (lease !== undefined) return Promise.resolve(lease);
      }
      const queued = this.#waiters.join(options);
      this.#afterQueued();
      return queued;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Lends an idle connection now, synchronously, or returns undefined: when none is idle, when
   * others are waiting (FIFO is kept), or when the idle one would need a pre-lend ping. Never
   * waits, never opens a connection (it may start one in the background for later callers).
   */
  tryAcquire(): PoolConnection | undefined {
    if (this.#state !== 'open') {
      if (this.closed) throw new PoolClosedError(this.name);
      this.#start();
    }
    if (this.#waiters.size > 0) return undefined;
    const lease = this.#lendIdleNow();
    if (lease !== undefined) this.#stats.requests++;
    return lease;
  }

  /** Borrows a connection for `fn` and always releases it, also when `fn` throws. */
  async withConnection<T>(fn: (conn: PoolConnection) => Promise<T> | T, options?: AcquireOptions): Promise<T> {
    const conn = await this.acquire(options);
    try {
      return await fn(conn);
    } finally {
      await conn.release();
    }
  }

  /** Runs `fn` in a transaction: COMMIT when it resolves, ROLLBACK when it throws (then rethrows). */
  transaction<T>(fn: (conn: PoolConnection) => Promise<T> | T, options?: AcquireOptions): Promise<T> {
    return this.withConnection(async (conn) => {
      await conn.beginTransaction();
      let result: T;
      try {
        result = await fn(conn);
      } catch (error) {
        // A failed rollback means the session is in an unknown state: evict it.
        await conn.rollback().catch(() => conn.destroy());
        throw error;
      }
      await conn.commit();
      return result;
    }, options);
  }

  /**
   * Borrows, runs one text-protocol statement, releases. With `maxPipelineDepth` > 1 the statement
   * may share a borrowed connection with others in flight (see Multiplexer): use it for stateless
   * autocommit statements only.
   */
  async query<T = any>(sql: Statement, values?: QueryValues): Promise<T> {
    if (this.#multiplexer !== undefined) return this.#multiplexer.run((conn) => conn.query<T>(sql, values));
    const conn = await this.acquire();
    try {
      return await conn.query<T>(sql, values);
    } finally {
      void conn.release();
    }
  }

  /** Borrows, runs one prepared statement, releases; multiplexed like query(). */
  async execute<T = any>(sql: Statement, values?: QueryValues): Promise<T> {
    if (this.#multiplexer !== undefined) return this.#multiplexer.run((conn) => conn.execute<T>(sql, values));
    const conn = await this.acquire();
    try {
      return await conn.execute<T>(sql, values);
    } finally {
      void conn.release();
    }
  }

  /** Borrows, runs a batch, releases. */
  async batch<T = any>(sql: Statement, values: QueryValues): Promise<T> {
    const conn = await this.acquire();
    try {
      return await conn.batch<T>(sql, values);
    } finally {
      void conn.release();
    }
  }

  status(): PoolStatus {
    const available = this.#conns.available;
    return Object.freeze({
      name: this.#o.name,
      minSize: this.#minSize,
      maxSize: this.#maxSize,
      size: this.#size(),
      available,
      borrowed: this.#conns.borrowed,
      waiting: this.#waiters.size,
      opening: this.#opener.opening,
      closed: this.closed,
    });
  }

  stats(): PoolStats {
    return Object.freeze({ ...this.#stats });
  }

  /**
   * Changes the bounds at run time. Growing opens connections as needed; shrinking closes idle
   * ones now and borrowed ones when they come back, never interrupting a borrower.
   */
  resize(bounds: { minSize?: number; maxSize?: number }): void {
    const maxSize = bounds.maxSize ?? Math.max(this.#maxSize, bounds.minSize ?? 0);
    const minSize = bounds.minSize ?? Math.min(this.#minSize, maxSize);
    checkSizes(minSize, maxSize);
    this.#minSize = minSize;
    this.#maxSize = maxSize;
    this.#conns.retireIdle(this.#size() - maxSize);
    this.#dispatch();
  }

  /**
   * Replaces every connection: idle ones are closed now, borrowed ones when they come back, and
   * new ones are opened up to minSize (e.g. after a failover or a credential change).
   */
  async drain(): Promise<void> {
    this.#generation++;
    this.#conns.retireIdle(this.#conns.available);
    this.#dispatch();
  }

  /**
   * Closes the pool: waiters are rejected at once with PoolClosedError, idle connections closed,
   * borrowed ones closed when released or, after `timeoutMs`, destroyed. Resolves when every
   * socket is closed; nothing of the pool keeps the process alive afterwards. Idempotent.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (options.timeoutMs !== undefined) {
      try {
        checkCallTimeout('close()', options.timeoutMs);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    this.#closing ??= this.#shutDown(options.timeoutMs ?? 10_000);
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toString(): string {
    const s = this.status();
    return `Pool "${s.name}" (size ${s.size}/${s.maxSize}, available ${s.available}, borrowed ${s.borrowed}, waiting ${s.waiting})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  // ---- acquire paths -------------------------------------------------------------------------

  /** Counts an acquire request; throws PoolClosedError once closed, opens a pool never opened. */
  #admit(): void {
    if (this.#state !== 'open') {
      if (this.closed) throw new PoolClosedError(this.name);
      this.#start();
    }
    this.#stats.requests++;
  }

  #start(): void {
    if (this.#state !== 'new') return;
    this.#state = 'open';
    this.#housekeeping.start();
    this.#statements.start();
    this.#dispatch();
  }

  /** Nobody waits: lends the top of the idle stack now, unless it needs a ping first. */
  #lendIdleNow(): PoolConnection | undefined {
    const now = this.#clock.now();
    const entry = this.#nextIdle(now);
    if (entry === undefined) return undefined;
    if (needsPing(entry, now, this.#o.pingThresholdMs)) return undefined; // dispatch pings it for the caller
    this.#conns.popIdle();
    return this.#lend(entry, now);
  }

  /**
   * The idle connection to lend next, still in the stack: the most recently returned one that is
   * not retired (lost, expired, from before a drain; those are retired on the way).
   */
  #nextIdle(now: number): PooledConnection | undefined {
    for (let entry = this.#conns.peekIdle(); entry !== undefined; entry = this.#conns.peekIdle()) {
      if (!entry.isRetired(now, this.#generation)) return entry;
      this.#conns.popIdle();
      this.#conns.retire(entry, retireReason(entry));
    }
    return undefined;
  }

  /** Someone joined the line: reconcile only if a connection could be lent or opened for them. */
  #afterQueued(): void {
    // On a busy pool nothing is idle and nothing can be opened: skip the reconciliation (hot path).
    if (this.#conns.available > 0 || this.#size() < this.#maxSize) this.#dispatch();
  }

  /**
   * The reconciliation step, run after every transition: hands idle connections to waiters in
   * FIFO order (pinging those idle past pingThresholdMs first), then opens the connections that
   * are needed: enough for minSize, and for waiters not already covered by connects in flight, a
   * few at a time, never above maxSize, and not while backing off after a failed connect.
   */
  #dispatch(): void {
    if (this.#state !== 'open') return;
    if (this.#waiters.size > 0 && this.#conns.available > 0) {
      const now = this.#clock.now();
      for (let entry = this.#nextIdle(now); entry !== undefined && this.#waiters.size > 0; entry = this.#nextIdle(now)) {
        this.#conns.popIdle();
        const waiter = this.#waiters.shift() as Waiter<PoolConnection>;
        if (needsPing(entry, now, this.#o.pingThresholdMs)) this.#pingThenGrant(entry, this.#waiters.checkOut(waiter), now);
        else this.#grant(waiter, entry, now);
      }
    }
    this.#openNeeded();
  }

  /** Lends `entry` to a waiter just taken off the line (or checked out for a ping). */
  #grant(waiter: Waiter<PoolConnection>, entry: PooledConnection, now: number): void {
    if (this.#waiters.grant(waiter, this.#lend(entry, now), now)) return;
    // The waiter settled meanwhile (timeout or abort during a ping): keep the connection.
    entry.endLease();
    this.#toIdle(entry, now, false);
  }

  #lend(entry: PooledConnection, now: number): PoolConnection {
    entry.borrow(now);
    const lease = new PoolConnection(this.#owner, entry);
    if (this.#leaks.enabled) this.#leaks.watch(entry);
    return lease;
  }

  /** The pre-lend ping, within the waiter's deadline: alive, it is lent; dead, the waiter keeps its turn. */
  #pingThenGrant(entry: PooledConnection, waiter: Waiter<PoolConnection>, now: number): void {
    const timeoutMs = Math.max(MIN_PING_MS, waiter.deadline - now);
    this.#conns.ping(entry, timeoutMs, (alive) => {
      const at = this.#clock.now();
      if (alive && this.#state === 'open') return this.#grant(waiter, entry, at);
      if (alive) this.#conns.retire(entry, 'closed');
      if (this.#state === 'open') this.#waiters.putBack(waiter);
      this.#dispatch();
    });
  }

  // ---- growing -------------------------------------------------------------------------------

  #openNeeded(): void {
    if (this.#opener.backingOff) return;
    const size = this.#size();
    const room = this.#maxSize - size;
    if (room <= 0) return;
    const forMin = Math.min(this.#minSize - size, MAX_FILL_CONNECTS - this.#opener.opening);
    const forWaiters = Math.min(this.#waiters.size - this.#opener.opening, MAX_GROWTH_CONNECTS - this.#opener.opening);
    // Open at least one connection for an open() that has none yet (minSize 0 proves the settings).
    const forOpen = this.#conns.settled.waiting && size === 0 ? 1 : 0;
    let n = Math.min(room, Math.max(forMin, forWaiters, forOpen));
    while (n-- > 0) this.#opener.open(this.#generation);
  }

  /** A connect succeeded: adopt the connection, or end it when the pool closed or drained meanwhile. */
  #connected(raw: DriverConnection, generation: number): PooledConnection | undefined {
    if (this.#state !== 'open' || generation !== this.#generation) {
      this.#conns.end(raw, false);
      this.#dispatch();
      this.#conns.settled.notify();
      return undefined;
    }
    const now = this.#clock.now();
    const entry = new PooledConnection(raw, now, expiryFor(now, this.#o.maxLifetimeMs, this.#random), generation);
    this.#conns.adopt(entry);
    this.#dispatch();
    return entry;
  }

  // ---- giving back ---------------------------------------------------------------------------

  #giveBack(entry: PooledConnection, destroy: boolean): Promise<void> {
    const now = this.#clock.now();
    this.#stats.usageMs += now - entry.borrowedAt;
    // Only watched when detection is on (#lend): skip the bookkeeping otherwise (hot path).
    if (this.#leaks.enabled) this.#leaks.end(entry, now);
    if (entry.inFlight > 0 && !destroy) return this.#afterQuiet(entry);
    return this.#takeBack(entry, destroy, now);
  }

  /**
   * The lease ended with statements in flight: the session is not the pool's to judge or lend
   * until they settle (whatever they do lands after the lease, so it must not land in the next
   * one). Waits for them, bounded by the statement deadline (or the release-cleanup bound when
   * statements have none), then takes the connection back from the server's real state; a
   * connection still busy at the bound is destroyed.
   */
  #afterQuiet(entry: PooledConnection): Promise<void> {
    this.#stats.releasedInFlight++;
    const ms = this.#statements.deadlineOf(entry) || MAX_CHECK_MS;
    const quiet = withDeadline(this.#clock, entry.whenQuiet(), ms, 'statements in flight at release', () => entry.raw.destroy(), true);
    return quiet.then(NOOP, (error: unknown) => {
      this.#log?.warn({ pool: this.name, threadId: entry.raw.threadId, err: error }, 'released with a statement still running; closing the connection');
    }).then(() => this.#takeBack(entry, false, this.#clock.now()));
  }

  #takeBack(entry: PooledConnection, destroy: boolean, now: number): Promise<void> {
    if (destroy || entry.lost || !entry.raw.isValid() || this.#state !== 'open') {
      this.#conns.retire(entry, destroy || this.#state !== 'open' ? 'closed' : 'lost');
      this.#dispatch();
      return RESOLVED;
    }
    if (this.#o.resetConnection) return this.#cleanUp(entry, 'reset', () => entry.raw.reset());
    if (entry.raw.inTransaction() || entry.raw.autocommit() !== entry.autocommit) {
      return this.#cleanUp(entry, 'transaction check', () => restoreTransactionState(entry.raw, entry.autocommit, (found) => this.#badReturn(entry, found)));
    }
    this.#toIdle(entry, now, true);
    return RESOLVED;
  }

  /** A borrower left a transaction open or autocommit switched (the server confirmed it): it is being undone. */
  #badReturn(entry: PooledConnection, found: DirtySession[]): void {
    this.#stats.badReturns++;
    this.#log?.warn({ pool: this.name, threadId: entry.raw.threadId }, `connection returned with ${found.join(' and ')}; restoring the session`);
  }

  /** Runs a release cleanup (bounded in time); a connection whose cleanup fails is destroyed, never reused. */
  #cleanUp(entry: PooledConnection, what: string, run: () => Promise<void>): Promise<void> {
    const ms = Math.min(MAX_CHECK_MS, Math.max(MIN_PING_MS, this.#o.acquireTimeoutMs));
    return this.#conns.cleanUp(entry, what, run, ms).then((clean) => {
      if (clean) this.#toIdle(entry, this.#clock.now(), true);
      else this.#dispatch();
    });
  }

  /**
   * Puts a connection back in the idle stack, or retires it when it is expired or over the cap.
   * `returned`: a borrower used it (top of the stack, idle clock restarts); otherwise it comes back
   * from a check and keeps its idle age (bottom of the stack), so checks never defeat idle eviction.
   */
  #toIdle(entry: PooledConnection, now: number, returned: boolean): void {
    // A returned connection's socket was checked a moment ago by #giveBack: skip that check.
    const retired = returned ? entry.isOutdated(now, this.#generation) : entry.isRetired(now, this.#generation);
    if (retired || this.#state !== 'open' || this.#size() > this.#maxSize) {
      this.#conns.retire(entry, retireReason(entry));
      this.#dispatch();
      return;
    }
    if (returned && this.#waiters.size > 0) {
      // The choice #dispatch would make: a returned connection is the top of the idle stack, not
      // retired (checked above) and alive a moment ago (no ping). Without the rest of the
      // reconciliation: a release changes no size, so nothing needs opening (hot path).
      entry.toIdle(now, true);
      return this.#grant(this.#waiters.shift() as Waiter<PoolConnection>, entry, now);
    }
    this.#conns.pushIdle(entry, now, returned);
    if (this.#waiters.size > 0) this.#dispatch();
  }

  #onLost(entry: PooledConnection, error: Error): void {
    if (entry.lost || entry.state === 'closed') return;
    entry.lost = true;
    this.#log?.warn({ pool: this.name, threadId: entry.raw.threadId, state: entry.state, err: error }, 'connection lost');
    if (entry.state !== 'idle') return; // borrowed or being checked: dealt with when that ends
    this.#conns.removeIdle(entry);
    this.#conns.retire(entry, 'lost');
    this.#dispatch();
  }

  // ---- closing ------------------------------------------------------------------------------

  async #shutDown(graceMs: number): Promise<void> {
    const wasOpen = this.#state === 'open';
    this.#state = 'closing';
    this.#opener.stop();
    this.#housekeeping.stop();
    this.#waiters.failAll(new PoolClosedError(this.name));
    await this.#conns.closeAll(wasOpen ? graceMs : 0, () => this.#opener.opening === 0);
    // Watched until here: a borrowed connection's statement may stall during the grace period.
    this.#statements.stop();
    this.#state = 'closed';
  }

  // ---- waiting for the pool itself -----------------------------------------------------------

  #untilOpened(wanted: number, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        reject(this.#opener.lastError ?? new Error(`no connection within ${timeoutMs} ms`));
      }, timeoutMs, true);
      void this.#conns.settled.until(() => {
        if (this.#conns.size >= wanted || this.#state !== 'open') return true;
        return isFatalConnectError(this.#opener.lastError);
      }).then(() => {
        this.#clock.clearTimeout(timer);
        if (this.#conns.size >= wanted) resolve();
        else reject(this.#opener.lastError ?? new PoolClosedError(this.name));
      });
      this.#dispatch();
    });
  }
}
