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
  readonly idle: PooledConnection[] = [];
  /** Every open connection, whatever its state. */
  readonly all = new Set<PooledConnection>();
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

  /** Lent, or being cleaned up after release: neither idle nor being pinged. */
  get borrowed(): number {
    return this.all.size - this.idle.length - this.#checking;
  }

  /** A new connection joins the idle stack. */
  adopt(entry: PooledConnection): void {
    this.all.add(entry);
    this.idle.push(entry);
    this.settled.notify();
  }

  /** Takes `entry` out of the idle stack, if it is there. */
  removeIdle(entry: PooledConnection): void {
    const i = this.idle.indexOf(entry);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** Removes a connection from the pool now and closes its socket in the background. */
  retire(entry: PooledConnection, reason: RetireReason): void {
    if (entry.state === 'closed') return;
    entry.state = 'closed';
    this.all.delete(entry);
    this.#leaks.end(entry, this.#clock.now());
    // Revokes the lease of a connection retired while borrowed (close() grace period over).
    entry.endLease();
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
   * Pings a connection taken out of the idle stack (state `checking` meanwhile). Resolves true when
   * alive (the caller decides where it goes), false after retiring a dead one. Never rejects.
   */
  ping(entry: PooledConnection, timeoutMs: number): Promise<boolean> {
    this.#stats.pings++;
    entry.state = 'checking';
    this.#checking++;
    return withDeadline(this.#clock, entry.raw.ping(), timeoutMs, 'ping', () => entry.raw.destroy()).then(
      () => {
        this.#checking--;
        entry.state = 'borrowed';
        entry.lastAliveAt = this.#clock.now();
        return true;
      },
      (error: unknown) => {
        this.#checking--;
        entry.state = 'borrowed';
        this.#log?.warn({ pool: this.#poolName, threadId: entry.raw.threadId, err: error }, 'connection failed its ping; replacing it');
        this.retire(entry, 'lost');
        return false;
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
    for (const e of this.idle.splice(0)) this.retire(e, 'closed');
    if (this.all.size > 0 && graceMs > 0) {
      const graceTimer = this.#clock.setTimeout(() => this.#forceClose(), graceMs, true);
      await this.settled.until(() => this.all.size === 0);
      this.#clock.clearTimeout(graceTimer);
    }
    this.#forceClose();
    await this.settled.until(() => openingDone() && this.#pendingEnds === 0);
  }

  #forceClose(): void {
    for (const e of [...this.all]) {
      if (e.state === 'borrowed') {
        this.#log?.warn({ pool: this.#poolName, threadId: e.raw.threadId }, 'close(): grace period over; destroying a borrowed connection');
      }
      this.retire(e, 'closed');
    }
  }
}
