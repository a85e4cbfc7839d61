import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Pool, type PoolStats, type PoolStatus } from '@mariapool/core';
import { PoolHealthIndicator } from '@mariapool/nestjs/health';

@Controller()
export class StatusController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: PoolHealthIndicator,
    private readonly pool: Pool,
  ) {}

  /** Terminus report: 200 when a connection can be borrowed and pinged within 1 s, 503 otherwise. */
  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.db.pingCheck('database', { timeoutMs: 1000 })]);
  }

  @Get('pool')
  pool_(): { status: PoolStatus; stats: PoolStats } {
    return { status: this.pool.status(), stats: this.pool.stats() };
  }
}
