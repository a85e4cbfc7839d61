import type { ConnectionPool } from './connection-pool.js';

/** Named legacy pools, for mysql-connector's `connect(pool_name=...)` style lookups. */
const registry = new Map<string, ConnectionPool>();

/** The open legacy pool registered under `poolName`, or undefined. */
export function getPool(poolName: string): ConnectionPool | undefined {
  return registry.get(poolName);
}

/** @internal */
export function registerPool(pool: ConnectionPool): void {
  if (registry.has(pool.poolName)) {
    throw new Error(`a pool named "${pool.poolName}" already exists; close it first or choose another poolName`);
  }
  registry.set(pool.poolName, pool);
}

/** @internal */
export function unregisterPool(pool: ConnectionPool): void {
  if (registry.get(pool.poolName) === pool) registry.delete(pool.poolName);
}
