import './dispose-symbol.js';

export { Pool, type PoolDependencies } from './pool.js';
export type { AcquireOptions } from './acquire-queue.js';
export { createPool } from './create-pool.js';
export { PoolConnection } from './pool-connection.js';
export { ConnectionScope, type ConnectionScopeOptions } from './connection-scope.js';
export { finishWithResponse, responseScope, whenResponseEnds, type EndingResponse, type EndingSocket } from './response-end.js';
export {
  DEFAULT_POOL_OPTIONS,
  MAX_POOL_SIZE,
  resolvePoolOptions,
  type ConnectionOptions,
  type PoolOptions,
  type PoolSettings,
  type ResolvedConnectionOptions,
  type ResolvedPoolOptions,
} from './pool-options.js';
export { parseConnectionUri, type HostAddress, type ParsedUri } from './connection-uri.js';
export type { PoolStats, PoolStatus } from './pool-status.js';
export type { PoolLogger } from './pool-logger.js';
export type { Clock, TimerHandle } from './clock.js';
export { systemClock } from './clock.js';
export type { Connector, ConnectionLostListener, DriverConnection, QueryValues, Statement } from './connector.js';
export { createMariaDbConnector } from './mariadb-connector.js';
export { Secret, type PasswordSource } from './secret.js';
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
  isPoolUnavailable,
  type PoolErrorCode,
} from './errors.js';
export { ConnectionPool, LegacyConnection, getPool, type ConnectionPoolOptions } from './legacy-connection-pool.js';
