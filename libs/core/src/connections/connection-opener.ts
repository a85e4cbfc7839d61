import { Backoff } from './backoff.js';
import type { Clock, TimerHandle } from '../time/clock.js';
import { isRefused } from './connect-failure.js';
import type { Connector, DriverConnection } from '../driver/connector.js';
import type { PoolLogger } from '../observability/pool-logger.js';
import type { MutableStats } from '../observability/pool-status.js';
import type { PooledConnection } from './pooled-connection.js';

/**
 * Reconnect backoff ceiling when the server refuses outright (it is restarting): a refused connect
 * costs the server nothing, and a short ceiling gets the pool back within ~0.1 s of the restart
 * (at most ~16 attempts per second). Other failures (timeouts, too many connections, auth) back
 * off up to 2 s.
 */
const REFUSED_BACKOFF_MAX_MS = 60;

/** What the opener reports back to its pool. */
export interface OpenerEvents {
  /** A connection is open; the pool adopts it (the entry, watched for loss) or ends it (undefined). */
  opened(raw: DriverConnection, generation: number): PooledConnection | undefined;
  /** A connect failed; true when the pool still wants connections (a retry is then scheduled). */
  failed(): boolean;
  /** The backoff after a failure is over: connects may start again. */
  retryDue(): void;
  /** The driver reported an adopted connection's socket gone. */
  lost(entry: PooledConnection, error: Error): void;
}

/**
 * Opens connections for a pool: counts the connects in flight, backs off after a failure (50 ms
 * doubling to 2 s, 60 ms at most while the server refuses), remembers the last error for the
 * errors the pool raises, and logs the first failure of a streak and the recovery, not every try.
 */
export class ConnectionOpener {
  readonly #connector: Connector;
  readonly #clock: Clock;
  readonly #log: PoolLogger | undefined;
  readonly #poolName: string;
  readonly #stats: MutableStats;
  readonly #events: OpenerEvents;
  readonly #backoff: Backoff;
  #opening = 0;
  #retryTimer: TimerHandle | undefined;
  #lastError: unknown;

  constructor(options: {
    connector: Connector;
    clock: Clock;
    random: () => number;
    log: PoolLogger | undefined;
    poolName: string;
    stats: MutableStats;
    events: OpenerEvents;
  }) {
    this.#connector = options.connector;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#poolName = options.poolName;
    this.#stats = options.stats;
    this.#events = options.events;
    this.#backoff = new Backoff({ initialMs: 50, maxMs: 2000, random: options.random });
  }

  /** Connects in flight. */
  get opening(): number {
    return this.#opening;
  }

  /** True while backing off after a failed connect: no new connect starts meanwhile. */
  get backingOff(): boolean {
    return this.#retryTimer !== undefined;
  }

  /** The last connect's error, until a connect succeeds (the cause of open and acquire timeouts). */
  get lastError(): unknown {
    return this.#lastError;
  }

  /** Starts one connect for the pool's current `generation`. */
  open(generation: number): void {
    this.#opening++;
    let entry: PooledConnection | undefined;
    this.#connector.connect((error) => entry && this.#events.lost(entry, error)).then(
      (raw) => {
        this.#opening--;
        this.#succeeded();
        entry = this.#events.opened(raw, generation);
      },
      (error: unknown) => {
        this.#opening--;
        this.#failed(error);
      },
    );
  }

  /** Cancels a pending retry (the pool is closing). */
  stop(): void {
    if (this.#retryTimer !== undefined) this.#clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  #succeeded(): void {
    this.#stats.connects++;
    if (this.#backoff.failures > 0) this.#log?.warn({ pool: this.#poolName }, 'connecting works again');
    this.#backoff.reset();
    this.#lastError = undefined;
  }

  #failed(error: unknown): void {
    this.#stats.connectErrors++;
    this.#lastError = error;
    if (this.#backoff.failures === 0) {
      this.#log?.warn({ pool: this.#poolName, target: this.#connector.describeTarget(), err: error }, 'cannot connect; retrying with backoff');
    }
    if (!this.#events.failed() || this.#retryTimer !== undefined) return;
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#events.retryDue();
    }, this.#backoff.next(isRefused(error) ? REFUSED_BACKOFF_MAX_MS : undefined));
  }
}
