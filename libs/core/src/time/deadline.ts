import type { Clock } from './clock.js';

/** A background check (ping, rollback, reset) did not answer in time; the connection is destroyed. */
export class OperationTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not complete within ${Math.round(ms)} ms`);
    this.name = 'OperationTimeoutError';
  }
}

/**
 * Races `work` against a timer. On timeout `onTimeout` runs (it destroys the connection, which
 * also settles `work`) and the result rejects. The driver's own query timeouts are server-side and
 * do nothing through a network black hole, hence our own timer.
 */
export function withDeadline<T>(clock: Clock, work: Promise<T>, ms: number, what: string, onTimeout: () => void, keepAlive = false): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      onTimeout();
      reject(new OperationTimeoutError(what, ms));
    }, ms, keepAlive);
    work.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}
