import type { Clock } from '../time/clock.js';
import { RepeatingTimer } from '../time/repeating-timer.js';
import { MAX_CHECK_MS, MIN_PING_MS, retireReason, type ConnectionSet } from '../connections/connection-set.js';
import { housekeepingPeriod, selectIdleToCheck, selectIdleToClose, type MaintenancePolicy } from './maintenance.js';
import type { PooledConnection } from '../connections/pooled-connection.js';

/** What housekeeping needs of its pool, read at each run (minSize and the generation change). */
export interface HousekeepingPool {
  policy(): MaintenancePolicy;
  /** Open connections plus connects in flight. */
  size(): number;
  generation(): number;
  /** A health-checked connection is alive: back to the idle stack (or to a waiter). */
  returnChecked(entry: PooledConnection): void;
  /** The pool's reconciliation step: hand-offs, then the connects that are needed. */
  dispatch(): void;
}

/**
 * The pool's one background task, on one unref'd timer: closes retired and long-idle connections
 * (down to minSize), pings those not seen alive for a validation interval, then lets the pool
 * refill. The decisions themselves are the pure functions of maintenance.ts.
 */
export class Housekeeping {
  readonly #clock: Clock;
  readonly #conns: ConnectionSet;
  readonly #pool: HousekeepingPool;
  readonly #timer: RepeatingTimer;
  #lastHealthCheck = 0;

  constructor(options: { clock: Clock; conns: ConnectionSet; pool: HousekeepingPool }) {
    this.#clock = options.clock;
    this.#conns = options.conns;
    this.#pool = options.pool;
    this.#timer = new RepeatingTimer(options.clock, () => housekeepingPeriod(this.#pool.policy()), () => this.#run());
  }

  start(): void {
    this.#timer.start();
  }

  stop(): void {
    this.#timer.stop();
  }

  #run(): void {
    const now = this.#clock.now();
    const policy = this.#pool.policy();
    const idle = this.#conns.idle;
    for (const e of selectIdleToClose(idle, this.#pool.size(), now, this.#pool.generation(), policy)) {
      this.#conns.removeIdle(e);
      this.#conns.retire(e, retireReason(e));
    }
    if (policy.enableHealthCheck && now - this.#lastHealthCheck >= policy.validationIntervalMs) {
      this.#lastHealthCheck = now;
      for (const e of selectIdleToCheck(idle, now, policy)) this.#healthCheck(e, policy.validationIntervalMs);
    }
    this.#pool.dispatch();
  }

  #healthCheck(entry: PooledConnection, intervalMs: number): void {
    this.#conns.removeIdle(entry);
    const ms = Math.max(MIN_PING_MS, Math.min(MAX_CHECK_MS, intervalMs));
    this.#conns.ping(entry, ms, (alive) => {
      if (alive) this.#pool.returnChecked(entry);
      else this.#pool.dispatch();
    });
  }
}
