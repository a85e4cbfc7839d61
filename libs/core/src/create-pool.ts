import { Pool, type PoolDependencies } from './pool.js';
import type { PoolOptions } from './options/pool-options.js';

/**
 * Creates a pool and opens it: resolves once `minSize` connections are open. Rejects with
 * InvalidPoolOptionError for bad options, or PoolOpenError (its `cause` is the driver's error)
 * when the server cannot be reached within `acquireTimeoutMs` or refuses the credentials.
 *
 * ```ts
 * const pool = await createPool('mariadb://app:secret@db:3306/shop', { minSize: 5, maxSize: 20 });
 * ```
 */
export async function createPool(uriOrOptions: string | PoolOptions, options?: PoolOptions, deps?: PoolDependencies): Promise<Pool> {
  const merged: PoolOptions =
    typeof uriOrOptions === 'string' ? { ...options, uri: uriOrOptions } : { ...uriOrOptions, ...options };
  return new Pool(merged, deps).open();
}
