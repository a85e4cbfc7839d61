import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { checkPool, type Pool } from '@mariapool/core';
import { getPoolToken } from '../pool.tokens.js';

/**
 * A terminus health indicator that asks the pool, not just the network: "up" only when a
 * connection can be borrowed and pinged within `timeoutMs`. The result carries the pool's status
 * (size, available, borrowed, waiting), so saturation is visible too.
 */
@Injectable()
export class PoolHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async pingCheck<K extends string>(key: K, options: { timeoutMs?: number; poolName?: string } = {}): Promise<HealthIndicatorResult<K>> {
    const indicator = this.health.check(key);
    const pool = this.moduleRef.get<Pool>(getPoolToken(options.poolName), { strict: false });
    const health = await checkPool(pool, options);
    return health.status === 'up' ? indicator.up({ ...health.pool }) : indicator.down({ message: health.message, ...health.pool });
  }
}
