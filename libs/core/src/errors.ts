import type { PoolStatus } from './observability/pool-status.js';

/** Every error code the pool itself raises. Driver errors pass through unchanged (as `cause`). */
export type PoolErrorCode =
  | 'ERR_POOL_ACQUIRE_TIMEOUT'
  | 'ERR_POOL_CLOSED'
  | 'ERR_POOL_QUEUE_FULL'
  | 'ERR_POOL_EXHAUSTED'
  | 'ERR_POOL_INVALID_OPTION'
  | 'ERR_POOL_OPEN'
  | 'ERR_POOL_ACQUIRE_ABORTED'
  | 'ERR_POOL_CONNECTION_RELEASED'
  | 'ERR_POOL_SCOPE_FINISHED'
  | 'ERR_POOL_STATEMENT_TIMEOUT';

/** Base class of every error raised by the pool; `code` is stable and meant for `switch`. */
export class PoolError extends Error {
  readonly code: PoolErrorCode;
  /** The pool's name, when the error concerns a pool. */
  readonly poolName: string | undefined;

  constructor(code: PoolErrorCode, message: string, options: { cause?: unknown; poolName?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.poolName = options.poolName;
  }
}

/** Renders the snapshot every diagnostic message carries: enough to tell "too small" from "server down". */
export function describeStatus(s: PoolStatus): string {
  return (
    `size ${s.size}/${s.maxSize} (min ${s.minSize}), available ${s.available}, borrowed ${s.borrowed}, ` +
    `waiting ${s.waiting}, opening ${s.opening}`
  );
}

function causeSuffix(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `; last connection error: ${typeof code === 'string' ? `${code}: ` : ''}${cause.message}`;
  }
  return '';
}

/**
 * An acquire did not get a connection before its deadline. The message carries the elapsed time
 * and the pool's status; `cause` is the last connection error, if connecting was failing.
 */
export class AcquireTimeoutError extends PoolError {
  readonly elapsedMs: number;
  readonly status: PoolStatus;

  constructor(args: { elapsedMs: number; status: PoolStatus; cause?: unknown }) {
    const ms = Math.round(args.elapsedMs);
    super(
      'ERR_POOL_ACQUIRE_TIMEOUT',
      `pool "${args.status.name}": no connection available after ${ms} ms (${describeStatus(args.status)})` +
        causeSuffix(args.cause),
      { cause: args.cause, poolName: args.status.name },
    );
    this.elapsedMs = ms;
    this.status = args.status;
  }
}

/** The pool is closed (or closing): no new borrows. */
export class PoolClosedError extends PoolError {
  constructor(poolName: string) {
    super('ERR_POOL_CLOSED', `pool "${poolName}" is closed`, { poolName });
  }
}

/** The wait queue is at `maxWaiters`: the acquire fails at once instead of queueing. */
export class PoolQueueFullError extends PoolError {
  readonly status: PoolStatus;
  constructor(status: PoolStatus) {
    super(
      'ERR_POOL_QUEUE_FULL',
      `pool "${status.name}": wait queue is full (maxWaiters ${status.waiting}; ${describeStatus(status)})`,
      { poolName: status.name },
    );
    this.status = status;
  }
}

/** Legacy non-waiting `getConnection()`: no connection is free right now. */
export class PoolExhaustedError extends PoolError {
  readonly status: PoolStatus;
  constructor(status: PoolStatus) {
    super('ERR_POOL_EXHAUSTED', `pool "${status.name}" is exhausted (${describeStatus(status)})`, {
      poolName: status.name,
    });
    this.status = status;
  }
}

/** An option is unknown, of the wrong type, out of range or contradicts another one. */
export class InvalidPoolOptionError extends PoolError {
  /** The offending option's name (dotted for nested ones, e.g. `ssl.ca`). */
  readonly option: string;
  /** `where`: whose option it is, e.g. `acquire()` for a per-call one. @default 'pool' */
  constructor(option: string, problem: string, where = 'pool') {
    super('ERR_POOL_INVALID_OPTION', `invalid ${where} option "${option}": ${problem}`);
    this.option = option;
  }
}

/** `open()` / `createPool()` could not establish the pool; `cause` is the driver's error. */
export class PoolOpenError extends PoolError {
  constructor(args: { poolName: string; elapsedMs: number; opened: number; wanted: number; cause?: unknown }) {
    super(
      'ERR_POOL_OPEN',
      `pool "${args.poolName}" could not open: ${args.opened} of ${args.wanted} connection(s) after ` +
        `${Math.round(args.elapsedMs)} ms` +
        causeSuffix(args.cause),
      { cause: args.cause, poolName: args.poolName },
    );
  }
}

/** The caller's `AbortSignal` fired while waiting; `cause` is the signal's reason. */
export class AcquireAbortedError extends PoolError {
  constructor(poolName: string, reason: unknown) {
    super('ERR_POOL_ACQUIRE_ABORTED', `pool "${poolName}": acquire aborted`, { cause: reason, poolName });
  }
}

/** A `PoolConnection` was used after `release()` or `destroy()`. */
export class ConnectionReleasedError extends PoolError {
  constructor(poolName: string, method: string) {
    super(
      'ERR_POOL_CONNECTION_RELEASED',
      `pool "${poolName}": ${method}() called on a connection that was already released to the pool`,
      { poolName },
    );
  }
}

/** A connection was asked of a scope (an HTTP request) that already ended: it would never be released. */
export class ScopeFinishedError extends PoolError {
  constructor(poolName: string) {
    super('ERR_POOL_SCOPE_FINISHED', `request already finished: no connection from pool "${poolName}" can be borrowed for it`, { poolName });
  }
}

/**
 * A statement got no reply within its deadline (`queryTimeoutMs` plus a grace second, or its own
 * `timeout`): the server-side limit did not answer either, so the network or the server is gone.
 * The connection was destroyed; whether the statement took effect is unknown. `cause` is the
 * driver's error for the destroyed socket.
 */
export class StatementTimeoutError extends PoolError {
  readonly threadId: number | null;
  readonly timeoutMs: number;
  constructor(threadId: number | null, timeoutMs: number, cause: unknown) {
    super(
      'ERR_POOL_STATEMENT_TIMEOUT',
      `no reply from the server within ${Math.round(timeoutMs)} ms on connection ${String(threadId)}: ` +
        'the connection was destroyed and the outcome of the statement is unknown',
      { cause },
    );
    this.threadId = threadId;
    this.timeoutMs = timeoutMs;
  }
}

const UNAVAILABLE_CODES: ReadonlySet<PoolErrorCode> = new Set(['ERR_POOL_ACQUIRE_TIMEOUT', 'ERR_POOL_QUEUE_FULL', 'ERR_POOL_CLOSED']);

/**
 * True for "no connection available right now" (acquire timeout, full queue, pool closed): for an
 * HTTP server a 503 (retryable: saturated or shutting down), not a 500.
 */
export function isPoolUnavailable(error: unknown): error is PoolError {
  return error instanceof PoolError && UNAVAILABLE_CODES.has(error.code);
}
