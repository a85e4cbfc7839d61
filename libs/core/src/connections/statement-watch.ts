import type { Clock } from '../time/clock.js';
import { RepeatingTimer } from '../time/repeating-timer.js';
import type { PoolLogger } from '../observability/pool-logger.js';
import type { MutableStats } from '../observability/pool-status.js';
import type { PooledConnection } from './pooled-connection.js';

/**
 * Added to a statement's server-side limit before the client gives up on it: the server's own
 * timeout error needs a moment to arrive, and only silence beyond that means a lost network.
 */
export const STATEMENT_GRACE_MS = 1000;

/**
 * The client side of a statement's deadline. `max_statement_time` ends a slow statement on the
 * server, but a statement on the wire during a network partition gets no answer at all, not even
 * that error. Every so often this looks at the connections with statements in flight: one whose
 * statements made no progress (nothing settled) for the deadline is destroyed, which fails its
 * statements with StatementTimeoutError and, through the usual release, takes it out of the pool.
 *
 * A sweep rather than a timer per statement: the hot path only bumps counters on the entry.
 */
export class StatementWatch {
  readonly #clock: Clock;
  readonly #all: ReadonlySet<PooledConnection>;
  readonly #timeoutMs: number;
  readonly #log: PoolLogger | undefined;
  readonly #poolName: string;
  readonly #stats: MutableStats;
  readonly #timer: RepeatingTimer;

  /** `timeoutMs`: queryTimeoutMs (0 = no statement deadline: the watch never runs). */
  constructor(options: {
    clock: Clock;
    all: ReadonlySet<PooledConnection>;
    timeoutMs: number;
    stats: MutableStats;
    log: PoolLogger | undefined;
    poolName: string;
  }) {
    this.#clock = options.clock;
    this.#all = options.all;
    this.#timeoutMs = options.timeoutMs;
    this.#log = options.log;
    this.#poolName = options.poolName;
    this.#stats = options.stats;
    // A stalled statement is noticed within a quarter of its deadline after it passed.
    const periodMs = Math.max(25, Math.min(1000, (this.#timeoutMs + STATEMENT_GRACE_MS) / 4));
    this.#timer = new RepeatingTimer(options.clock, () => periodMs, () => this.sweep());
  }

  /** Starts sweeping; with no statement deadline (queryTimeoutMs 0) there is nothing to watch. */
  start(): void {
    if (this.#timeoutMs > 0) this.#timer.start();
  }

  stop(): void {
    this.#timer.stop();
  }

  /**
   * How long (ms) the statements in flight on `entry` may go without a reply: queryTimeoutMs, or
   * a statement's own longer `timeout`, plus the grace second; 0 when there is no deadline.
   */
  deadlineOf(entry: PooledConnection): number {
    return this.#timeoutMs > 0 ? Math.max(this.#timeoutMs, entry.statementTimeoutMs) + STATEMENT_GRACE_MS : 0;
  }

  /** Destroys the connections whose statements have been silent past their deadline. */
  sweep(): void {
    const now = this.#clock.now();
    for (const entry of this.#all) {
      if (entry.inFlight === 0 || entry.timedOutAfterMs > 0) continue;
      if (entry.watchedProgress !== entry.progress) {
        entry.watchedProgress = entry.progress;
        entry.watchedSince = now;
        continue;
      }
      const deadline = this.deadlineOf(entry);
      if (now - entry.watchedSince >= deadline) this.#timeOut(entry, deadline);
    }
  }

  #timeOut(entry: PooledConnection, deadlineMs: number): void {
    entry.timedOutAfterMs = deadlineMs;
    this.#stats.statementTimeouts++;
    this.#log?.warn(
      { pool: this.#poolName, threadId: entry.raw.threadId, inFlight: entry.inFlight, deadlineMs },
      'no reply from the server within the statement deadline; destroying the connection',
    );
    entry.raw.abort(new Error(`no reply within ${deadlineMs} ms`));
  }
}
