import type { InjectionToken } from '@nestjs/common';
import { Pool, PoolConnection } from '@mariapool/core';

/** The name of the pool registered without `name`. */
export const DEFAULT_POOL_NAME = 'default';

/**
 * The injection token of a pool. The default pool's token is the `Pool` class itself, so
 * `constructor(private readonly pool: Pool)` works by type, without a decorator.
 */
export function getPoolToken(name: string = DEFAULT_POOL_NAME): InjectionToken {
  return name === DEFAULT_POOL_NAME ? Pool : Symbol.for(`mariapool:pool:${name}`);
}

/**
 * The injection token of the request's connection (REQUEST-scoped provider). The default pool's is
 * the `PoolConnection` class, so a request-scoped provider can take it by type.
 */
export function getConnectionToken(name: string = DEFAULT_POOL_NAME): InjectionToken {
  return name === DEFAULT_POOL_NAME ? PoolConnection : Symbol.for(`mariapool:connection:${name}`);
}
