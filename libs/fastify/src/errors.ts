import { isPoolUnavailable } from '@mariapool/core';

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
 * Gives pool errors an HTTP status for Fastify's error handler: "no connection available" is a
 * 503 (retryable, the server is saturated or shutting down), not a generic 500.
 */
export function withHttpStatus(error: unknown): unknown {
  if (isPoolUnavailable(error)) {
    Object.assign(error, { statusCode: 503 });
  }
  return error;
}
