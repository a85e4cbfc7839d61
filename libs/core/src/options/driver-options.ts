import type { HostAddress } from './connection-uri.js';
import type { OptionKind } from './option-kinds.js';
import type { PasswordSource } from './secret.js';

/** Connection options, passed through to the `mariadb` driver (see its documentation for each). */
export interface ConnectionOptions {
  /** @default "localhost" */
  host?: string;
  /** @default 3306 */
  port?: number;
  /** Several servers: connections go round-robin, skipping hosts that refuse. Overrides host/port. */
  hosts?: HostAddress[];
  socketPath?: string;
  user?: string;
  /** A string, or a function called for each new connection (credential rotation). Never logged. */
  password?: PasswordSource;
  database?: string;
  /** Driver: TCP connect + handshake timeout (ms). @default 1000 (driver default) */
  connectTimeout?: number;
  socketTimeout?: number;
  keepAliveDelay?: number;
  ssl?: boolean | Record<string, unknown>;
  charset?: string;
  collation?: string;
  timezone?: string;
  initSql?: string | string[];
  sessionVariables?: Record<string, unknown>;
  connectAttributes?: unknown;
  compress?: boolean;
  debug?: boolean;
  debugCompress?: boolean;
  debugLen?: number;
  logParam?: boolean;
  trace?: boolean;
  multipleStatements?: boolean;
  namedPlaceholders?: boolean;
  rowsAsArray?: boolean;
  metaAsArray?: boolean;
  metaEnumerable?: boolean;
  nestTables?: boolean | string;
  dateStrings?: boolean;
  bigIntAsNumber?: boolean;
  insertIdAsNumber?: boolean;
  decimalAsNumber?: boolean;
  supportBigNumbers?: boolean;
  bigNumberStrings?: boolean;
  checkNumberRange?: boolean;
  autoJsonMap?: boolean;
  jsonStrings?: boolean;
  bitOneIsBoolean?: boolean;
  arrayParenthesis?: boolean;
  permitSetMultiParamEntries?: boolean;
  checkDuplicate?: boolean;
  typeCast?: (...args: any[]) => unknown;
  bulk?: boolean;
  pipelining?: boolean;
  permitLocalInfile?: boolean;
  infileStreamFactory?: (...args: any[]) => unknown;
  foundRows?: boolean;
  maxAllowedPacket?: number;
  prepareCacheLength?: number;
  rsaPublicKey?: string;
  cachingRsaPublicKey?: string;
  allowPublicKeyRetrieval?: boolean;
  forceVersionCheck?: boolean;
  restrictedAuth?: unknown;
  permitRedirect?: boolean;
  stream?: (...args: any[]) => unknown;
}

/** The options whose kind belongs to the pool (a `Secret`, the parsed host list), not passed through as they are. */
type PoolOwnedConnectionOption = 'hosts' | 'password';

/**
 * The kind of every connection option of the `mariadb` driver the pool passes through. Listing
 * them lets a typo (`pasword`, `conectTimeout`) fail loudly instead of being ignored; `satisfies`
 * makes the table and ConnectionOptions agree, so an option typed there but missing here (or the
 * reverse) does not compile.
 */
export const DRIVER_OPTION_KINDS = {
  host: 'string',
  port: 'port',
  socketPath: 'string',
  user: 'string',
  database: 'string',
  connectTimeout: 'ms',
  socketTimeout: 'ms',
  keepAliveDelay: 'ms',
  ssl: 'ssl',
  charset: 'string',
  collation: 'string',
  timezone: 'string',
  initSql: 'stringOrArray',
  sessionVariables: 'object',
  connectAttributes: 'any',
  compress: 'bool',
  debug: 'bool',
  debugCompress: 'bool',
  debugLen: 'count',
  logParam: 'bool',
  trace: 'bool',
  multipleStatements: 'bool',
  namedPlaceholders: 'bool',
  rowsAsArray: 'bool',
  metaAsArray: 'bool',
  metaEnumerable: 'bool',
  nestTables: 'any',
  dateStrings: 'bool',
  bigIntAsNumber: 'bool',
  insertIdAsNumber: 'bool',
  decimalAsNumber: 'bool',
  supportBigNumbers: 'bool',
  bigNumberStrings: 'bool',
  checkNumberRange: 'bool',
  autoJsonMap: 'bool',
  jsonStrings: 'bool',
  bitOneIsBoolean: 'bool',
  arrayParenthesis: 'bool',
  permitSetMultiParamEntries: 'bool',
  checkDuplicate: 'bool',
  typeCast: 'function',
  bulk: 'bool',
  pipelining: 'bool',
  permitLocalInfile: 'bool',
  infileStreamFactory: 'function',
  foundRows: 'bool',
  maxAllowedPacket: 'count',
  prepareCacheLength: 'count',
  rsaPublicKey: 'string',
  cachingRsaPublicKey: 'string',
  allowPublicKeyRetrieval: 'bool',
  forceVersionCheck: 'bool',
  restrictedAuth: 'any',
  permitRedirect: 'bool',
  stream: 'function',
} as const satisfies Record<Exclude<keyof ConnectionOptions, PoolOwnedConnectionOption>, OptionKind>;

/** The driver's own pool options, mapped to ours, so a user porting a config gets pointed to the right name. */
export const DRIVER_POOL_OPTION_HINTS: Readonly<Record<string, string>> = {
  connectionLimit: 'maxSize',
  minimumIdle: 'minSize',
  acquireTimeout: 'acquireTimeoutMs',
  idleTimeout: 'maxIdleTimeMs (milliseconds; the driver used seconds)',
  resetAfterUse: 'resetConnection',
  leakDetectionTimeout: 'leakDetectionThresholdMs',
  minDelayValidation: 'pingThresholdMs',
  pingTimeout: 'acquireTimeoutMs (pings are capped by the acquire deadline)',
  initializationTimeout: 'open({ timeoutMs })',
  queryTimeout: 'queryTimeoutMs',
  poolSize: 'maxSize',
  pool_size: 'maxSize',
  poolName: 'name',
  pool_name: 'name',
  min: 'minSize',
  max: 'maxSize',
  // TypeORM, mysql2, Knex
  username: 'user',
  queueLimit: 'maxWaiters',
  waitForConnections: 'acquireTimeoutMs (acquires always wait, up to their deadline; maxWaiters bounds the queue)',
  maxIdle: 'minSize (idle connections above it close after maxIdleTimeMs)',
  enableKeepAlive: 'validationIntervalMs (idle connections are health-checked)',
  extra: 'the options themselves (mariapool takes the driver\'s options at the top level)',
};
