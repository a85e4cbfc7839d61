/**
 * @mariapool/core: the pool. Other entry points: `@mariapool/core/http` (a request's connections,
 * for framework integrations) and `@mariapool/core/legacy` (the Connector/Python 1.x-style API).
 */
import './lease/dispose-symbol.js';

export { Pool, type PoolDependencies } from './pool.js';
export type { AcquireOptions } from './queue/acquire-queue.js';
export { createPool } from './create-pool.js';
export { PoolConnection } from './lease/pool-connection.js';
export type { ConnectionOptions } from './options/driver-options.js';
export { MAX_POOL_SIZE } from './options/option-kinds.js';
export {
  DEFAULT_POOL_OPTIONS,
  resolvePoolOptions,
  type PoolOptions,
  type PoolSettings,
  type ResolvedConnectionOptions,
  type ResolvedPoolOptions,
} from './options/pool-options.js';
export { parseConnectionUri, type HostAddress, type ParsedUri } from './options/connection-uri.js';
export type { PoolStats, PoolStatus } from './observability/pool-status.js';
export { checkPool, type PoolHealth } from './observability/health-check.js';
export type { PoolLogger } from './observability/pool-logger.js';
export type { Clock, TimerHandle } from './time/clock.js';
export { systemClock } from './time/clock.js';
export type { Connector, ConnectionLostListener, DriverConnection, QueryValues, Statement } from './driver/connector.js';
export { createMariaDbConnector } from './driver/mariadb-connector.js';
export { Secret, type PasswordSource } from './options/secret.js';
export {
  AcquireAbortedError,
  AcquireTimeoutError,
  ConnectionReleasedError,
  InvalidPoolOptionError,
  PoolClosedError,
  PoolError,
  PoolExhaustedError,
  PoolOpenError,
  PoolQueueFullError,
  ScopeFinishedError,
  StatementTimeoutError,
  isPoolUnavailable,
  type PoolErrorCode,
} from './errors.js';
