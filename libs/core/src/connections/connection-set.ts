import type { Clock } from '../time/clock.js';
import type { DriverConnection } from '../driver/connector.js';
import { withDeadline } from '../time/deadline.js';
import type { LeakWatch } from '../observability/leak-watch.js';
import type { PoolLogger } from '../observability/pool-logger.js';
import type { MutableStats } from '../observability/pool-status.js';
import type { PooledConnection } from './pooled-connection.js';
import { SettleWatchers } from './settle-watchers.js';

/** Bound for background pings and release cleanups (ms), so a black hole cannot pin a connection. */
export const MAX_CHECK_MS = 5000;
/** Floor of any ping's timeout (ms). */
export const MIN_PING_MS = 100;
/** How long a closing socket may take for its COM_QUIT before it is destroyed (ms). */
const END_TIMEOUT_MS = 1000;

/** Why a connection leaves the pool: it died ('lost', counted as such) or it is being replaced ('closed'). */
export type RetireReason = 'lost' | 'closed';

/** Why a connection that is still open leaves: 'lost' when its socket is gone, else 'closed'. */
export function retireReason(entry: PooledConnection): RetireReason {
  return entry.lost || !entry.raw.isValid() ? 'lost' : 'closed';
}

/**
 * A pool's open connections and what happens to them outside a borrow: the idle stack, the set of
 * every open connection, pings (`checking`), and retirement, the one way out, which closes the
 * socket in the background and tells whoever awaits the set (open(), close()) through `settled`.
 *
 * Which connection goes to whom, and when, is the Pool's business; this class never lends.
 */
export class ConnectionSet {
  /** Idle connections, a stack: the most recently returned is lent first, so the others age out. */
  readonly #idle: PooledConnection[] = [];
  /** Every open connection, whatever its state. */
  readonly #all = new Set<PooledConnection>();
  /** Conditions awaited by open()/close(), re-checked whenever a connection settles. */
  readonly settled = new SettleWatchers();
  /** Connections out of the idle stack for a ping. */
  #checking = 0;
  /** Sockets retired gracefully whose COM_QUIT has not finished. */
  #pendingEnds = 0;
  readonly #clock: Clock;
  readonly #stats: MutableStats;
  readonly #leaks: LeakWatch;
  readonly #log: PoolLogger | undefined;
  readonly #poolName: string;

  constructor(options: { clock: Clock; stats: MutableStats; leaks: LeakWatch; log: PoolLogger | undefined; poolName: string }) {
    this.#clock = options.clock;
    this.#stats = options.stats;
    this.#leaks = options.leaks;
    this.#log = options.log;
    this.#poolName = options.poolName;
  }

  /** Open connections, whatever their state. */
  get size(): number {
    return this.#all.size;
  }

  /** Idle connections, ready to lend. */
  get available(): number {
    return this.#idle.length;
  }

  /** Lent, or being cleaned up after release: neither idle nor being pinged. */
  get borrowed(): number {
    return this.#all.size - this.#idle.length - this.#checking;
  }

  /** Every open connection (for the statement watch). */
  get all(): ReadonlySet<PooledConnection> {
    return this.#all;
  }

  /** The idle stack, most recently returned last (for housekeeping's decisions). */
  get idle(): readonly PooledConnection[] {
    return this.#idle;
  }

  /** A new connection joins the idle stack. */
  adopt(entry: PooledConnection): void {
    this.#all.add(entry);
    this.#idle.push(entry);
    this.settled.notify();
  }

  /** The most recently returned idle connection, still in the stack; undefined when none. */
  peekIdle(): PooledConnection | undefined {
    return this.#idle[this.#idle.length - 1];
  }

  /** Takes the most recently returned idle connection out of the stack. */
  popIdle(): PooledConnection | undefined {
    return this.#idle.pop();
  }

  /**
   * Puts a connection in the idle stack: a returned one on top (lent first), one back from a
   * check at the bottom, keeping its idle age, so checks never defeat idle eviction.
   */
  pushIdle(entry: PooledConnection, now: number, returned: boolean): void {
    entry.toIdle(now, returned);
    if (returned) this.#idle.push(entry);
    else this.#idle.unshift(entry);
  }

  /** Takes `entry` out of the idle stack, if it is there. */
  removeIdle(entry: PooledConnection): void {
    const i = this.#idle.indexOf(entry);
    if (i >= 0) this.#idle.splice(i, 1);
  }

  /** Retires up to `count` idle connections, oldest idle first (resize, drain). */
  retireIdle(count: number): void {
    while (count-- > 0 && this.#idle.length > 0) this.retire(this.#idle.shift() as PooledConnection, 'closed');
  }

  /** Removes a connection from the pool now and closes its socket in the background. */
  retire(entry: PooledConnection, reason: RetireReason): void {
    if (!entry.retire()) return;
    this.#all.delete(entry);
    this.#leaks.end(entry, this.#clock.now());
    if (reason === 'lost') this.#stats.lost++;
    else this.#stats.closedConnections++;
    // A statement in flight would hold COM_QUIT back until it ends: close the socket now.
    this.end(entry.raw, reason === 'lost' || entry.lost || entry.inFlight > 0);
  }

  /**
   * Closes a socket (also one the pool never adopted): COM_QUIT, destroyed if the server does not
   * answer within a second; at once when `destroyNow` or when the socket is gone already.
   */
  end(raw: DriverConnection, destroyNow: boolean): void {
    if (destroyNow || !raw.isValid()) {
      raw.destroy();
      this.settled.notify();
      return;
    }
    this.#pendingEnds++;
    withDeadline(this.#clock, raw.end(), END_TIMEOUT_MS, 'close', () => raw.destroy(), true)
      .catch(() => raw.destroy())
      .finally(() => {
        this.#pendingEnds--;
        this.settled.notify();
      });
  }

  /**
   * Pings a connection taken out of the idle stack (state `checking` meanwhile), then calls
   * `then(alive)` in the same step that ends the check: alive, the caller lends it or puts it back
   * (it is still `checking` until then); dead, it was retired first.
   */
  ping(entry: PooledConnection, timeoutMs: number, then: (alive: boolean) => void): void {
    this.#stats.pings++;
    entry.check();
    this.#checking++;
    withDeadline(this.#clock, entry.raw.ping(), timeoutMs, 'ping', () => entry.raw.destroy()).then(
      () => {
        this.#checking--;
        entry.lastAliveAt = this.#clock.now();
        then(true);
      },
      (error: unknown) => {
        this.#checking--;
        this.#log?.warn({ pool: this.#poolName, threadId: entry.raw.threadId, err: error }, 'connection failed its ping; replacing it');
        this.retire(entry, 'lost');
        then(false);
      },
    );
  }

  /**
   * Runs a release cleanup (rollback, reset), bounded in time. Resolves true when it succeeded,
   * false after retiring the connection: one whose cleanup failed is never reused. Never rejects.
   */
  cleanUp(entry: PooledConnection, what: string, run: () => Promise<void>, timeoutMs: number): Promise<boolean> {
    // keepAlive: the borrower awaits release().
    return withDeadline(this.#clock, run(), timeoutMs, what, () => entry.raw.destroy(), true).then(
      () => true,
      (error: unknown) => {
        this.#log?.warn({ pool: this.#poolName, threadId: entry.raw.threadId, err: error }, `${what} on release failed; closing the connection`);
        this.retire(entry, 'lost');
        return false;
      },
    );
  }

  /**
   * Closes everything: idle connections now, borrowed ones when they come back or, after
   * `graceMs`, by force. Resolves once every socket is closed and `openingDone()` holds (no
   * connect in flight can add one later).
   */
  async closeAll(graceMs: number, openingDone: () => boolean): Promise<void> {
    this.retireIdle(this.#idle.length);
    if (this.#all.size > 0 && graceMs > 0) {
      const graceTimer = this.#clock.setTimeout(() => this.#forceClose(), graceMs, true);
      await this.settled.until(() => this.#all.size === 0);
      this.#clock.clearTimeout(graceTimer);
    }
    this.#forceClose();
    await this.settled.until(() => openingDone() && this.#pendingEnds === 0);
  }

  #forceClose(): void {
    for (const e of [...this.#all]) {
      if (e.state === 'borrowed') {
        this.#log?.warn({ pool: this.#poolName, threadId: e.raw.threadId }, 'close(): grace period over; destroying a borrowed connection');
      }
      this.retire(e, 'closed');
    }
  }
}
