import { isPoolUnavailable, type PoolError } from '@mariapool/core';
import { UNAVAILABLE_MESSAGE } from '@mariapool/core/http';

/** Raised by plugin misuse: bad registration, unknown pool name, a request that already ended. */
export class PoolPluginError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}


/**
 * "No connection available" for Fastify's error handler: a 503 (retryable: saturated or shutting
 * down), not a 500, whose message says nothing of the pool's sizes or the driver's last error.
 * Both stay on `cause` (the pool's error) for the application and for the log: Fastify logs a 5xx
 * with its causes' messages.
 */
export class ServiceUnavailableError extends Error {
  readonly statusCode = 503;
  /** The pool error's code (ERR_POOL_ACQUIRE_TIMEOUT, ERR_POOL_QUEUE_FULL, ERR_POOL_CLOSED). */
  readonly code: string;
  constructor(cause: PoolError) {
    super(UNAVAILABLE_MESSAGE, { cause });
    this.name = new.target.name;
    this.code = cause.code;
  }
}

/** Turns a pool's "no connection available" into a ServiceUnavailableError; other errors pass unchanged. */
export function withHttpStatus(error: unknown): unknown {
  return isPoolUnavailable(error) ? new ServiceUnavailableError(error) : error;
}
