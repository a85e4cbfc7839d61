import type { Pool } from '../pool.js';
import type { PoolStatus } from './pool-status.js';

/** What a health check found: whether a connection could be had and answered, and the pool's status. */
export interface PoolHealth {
  /** 'up' when a connection was borrowed and pinged within the timeout. */
  readonly status: 'up' | 'down';
  /** The pool's status at the end of the check: saturation shows as waiting > 0, available 0. */
  readonly pool: PoolStatus;
  /** Why it is down (the pool's or the driver's error message); never a password. */
  readonly message?: string;
}

/**
 * Asks the pool, not just the network: borrows a connection and pings it within `timeoutMs`
 * (through the queue like any request, so a saturated pool reports down). For health endpoints
 * and load-shedding hooks (Nest's terminus indicator, Fastify's under-pressure).
 */
export async function checkPool(pool: Pool, options: { timeoutMs?: number } = {}): Promise<PoolHealth> {
  try {
    await pool.withConnection((conn) => conn.ping(), { timeoutMs: options.timeoutMs ?? 1000 });
    return { status: 'up', pool: pool.status() };
  } catch (error) {
    return { status: 'down', pool: pool.status(), message: (error as Error).message };
  }
}
