import type { Clock } from '../time/clock.js';
import type { PoolLogger } from './pool-logger.js';
import type { PooledConnection } from '../connections/pooled-connection.js';

/**
 * Leak detection: a connection borrowed for longer than the threshold is reported once, with the
 * stack of the acquire that took it, and again when it finally comes back. Only armed when the
 * threshold is above 0, since capturing a stack on every borrow is not free.
 */
export class LeakWatch {
  readonly #thresholdMs: number;
  readonly #clock: Clock;
  readonly #log: PoolLogger | undefined;
  readonly #poolName: string;
  readonly #onLeak: () => void;

  /** `onLeak` counts a reported leak (the pool's stats). */
  constructor(options: { thresholdMs: number; clock: Clock; log: PoolLogger | undefined; poolName: string; onLeak: () => void }) {
    this.#thresholdMs = options.thresholdMs;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#poolName = options.poolName;
    this.#onLeak = options.onLeak;
  }

  /** True when borrows are watched at all (threshold above 0). */
  get enabled(): boolean {
    return this.#thresholdMs > 0;
  }

  /** Starts watching a borrow that has just been lent. */
  watch(entry: PooledConnection): void {
    entry.acquireStack = new Error('acquired here').stack;
    entry.leakReported = false;
    const threshold = this.#thresholdMs;
    entry.leakTimer = this.#clock.setTimeout(() => {
      entry.leakTimer = undefined;
      entry.leakReported = true;
      this.#onLeak();
      this.#log?.warn(
        { pool: this.#poolName, threadId: entry.raw.threadId, heldMs: threshold, acquiredAt: entry.acquireStack },
        `connection held for more than ${threshold} ms (possible leak)`,
      );
    }, threshold);
  }

  /** Stops watching a borrow that ended (released, destroyed or retired) at `now`. */
  end(entry: PooledConnection, now: number): void {
    if (entry.leakTimer !== undefined) this.#clock.clearTimeout(entry.leakTimer);
    entry.leakTimer = undefined;
    if (entry.leakReported) {
      entry.leakReported = false;
      this.#log?.warn({ pool: this.#poolName, threadId: entry.raw.threadId, heldMs: Math.round(now - entry.borrowedAt) }, 'leaked connection returned');
    }
  }
}
