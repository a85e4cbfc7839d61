import { Logger, Scope, type InjectionToken, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { createPool, InvalidPoolOptionError, type Pool, type PoolConnection } from '@mariapool/core';
import type { PoolModuleOptions } from './pool-module.options.js';
import { PoolRegistry } from './pool.registry.js';
import { nestPoolLogger } from './nest-pool-logger.js';
import { requestConnection } from './request-scope.js';
import { getConnectionToken, getPoolToken } from './pool.tokens.js';

/** Closes one pool at application shutdown, after the HTTP server stopped taking requests. */
class PoolShutdown implements OnApplicationShutdown {
  constructor(
    private readonly pool: Pool,
    private readonly onClosed: () => void,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
    this.onClosed();
  }
}

/** Opens the pool, retrying `retryAttempts` times; the app does not start until it is open. */
async function openPool(name: string, options: PoolModuleOptions, logger: Logger): Promise<Pool> {
  const { retryAttempts = 0, retryDelayMs = 1000, ...poolOptions } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      // Unless the app gives one, the pool's events go to Nest's Logger (connect failures while
      // starting included: a dead server is reported, not 30 s of silence).
      return await createPool({ name, ...poolOptions, logger: poolOptions.logger ?? nestPoolLogger(logger) });
    } catch (error) {
      if (error instanceof InvalidPoolOptionError || attempt >= retryAttempts) throw error;
      logger.warn(`cannot open pool "${name}" (attempt ${attempt + 1} of ${retryAttempts + 1}): ${(error as Error).message}; retrying in ${retryDelayMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    }
  }
}

/**
 * The providers of one named pool: the pool (opened before the app serves), its shutdown hook,
 * and the REQUEST-scoped connection. The last one costs request scope for whoever injects it (Nest
 * re-creates REQUEST-scoped providers and their dependents per request); `@Conn()` does not.
 */
export function createPoolProviders(name: string, optionsToken: InjectionToken): Provider[] {
  const poolToken = getPoolToken(name);
  const logger = new Logger('PoolModule');
  return [
    {
      provide: poolToken,
      inject: [optionsToken, PoolRegistry],
      useFactory: async (options: PoolModuleOptions, registry: PoolRegistry) => {
        const pool = await openPool(name, options, logger);
        registry.add(name, pool);
        return pool;
      },
    },
    {
      provide: Symbol.for(`mariapool:shutdown:${name}`),
      inject: [poolToken, PoolRegistry],
      useFactory: (pool: Pool, registry: PoolRegistry) => new PoolShutdown(pool, () => registry.remove(name, pool)),
    },
    {
      provide: getConnectionToken(name),
      scope: Scope.REQUEST,
      inject: [REQUEST],
      useFactory: (request: unknown): Promise<PoolConnection> => requestConnection(name, request),
    },
  ];
}
