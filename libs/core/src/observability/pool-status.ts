/** A point-in-time view of a pool's sets. At rest, `size = available + borrowed`. */
export interface PoolStatus {
  readonly name: string;
  readonly minSize: number;
  readonly maxSize: number;
  /** Open connections plus those being opened. */
  readonly size: number;
  /** Idle connections ready to lend. */
  readonly available: number;
  /** Connections lent out (including ones being cleaned up after release or checked before lending). */
  readonly borrowed: number;
  /** Callers waiting for a connection. */
  readonly waiting: number;
  /** Connections being opened right now. */
  readonly opening: number;
  readonly closed: boolean;
}

/** Cumulative counters since the pool was created. Times are milliseconds. */
export interface PoolStats {
  /** acquire() calls. */
  readonly requests: number;
  /** Acquires that had to wait in the queue. */
  readonly queued: number;
  /** Total time spent waiting by queued acquires (ms). */
  readonly waitMs: number;
  /** Acquires that failed with AcquireTimeoutError. */
  readonly timeouts: number;
  /** Acquires cancelled through their AbortSignal. */
  readonly aborted: number;
  /** Acquires rejected because the queue was full. */
  readonly rejectedQueueFull: number;
  /** Connections opened successfully. */
  readonly connects: number;
  /** Connection attempts that failed. */
  readonly connectErrors: number;
  /** Connections found dead (closed by the server or network, failed a ping or a cleanup). */
  readonly lost: number;
  /** Connections closed on purpose (idle, lifetime, resize, drain, destroy, close). */
  readonly closedConnections: number;
  /** Total time connections spent borrowed (ms). */
  readonly usageMs: number;
  /** Connections returned with an open transaction (rolled back for the borrower). */
  readonly badReturns: number;
  /**
   * Releases that found statements still in flight (not awaited, or a request that ended
   * mid-statement): the connection went back only once they had settled.
   */
  readonly releasedInFlight: number;
  /** Connections destroyed because a statement got no reply within its deadline (queryTimeoutMs). */
  readonly statementTimeouts: number;
  /** Pings sent before lending or by the health check. */
  readonly pings: number;
  /** Connections held longer than leakDetectionThresholdMs. */
  readonly leaks: number;
}

export type MutableStats = { -readonly [K in keyof PoolStats]: PoolStats[K] };

export function emptyStats(): MutableStats {
  return {
    requests: 0,
    queued: 0,
    waitMs: 0,
    timeouts: 0,
    aborted: 0,
    rejectedQueueFull: 0,
    connects: 0,
    connectErrors: 0,
    lost: 0,
    closedConnections: 0,
    usageMs: 0,
    badReturns: 0,
    releasedInFlight: 0,
    statementTimeouts: 0,
    pings: 0,
    leaks: 0,
  };
}
