import { parseConnectionUri, type HostAddress } from './connection-uri.js';
import { DRIVER_OPTION_KINDS, DRIVER_POOL_OPTION_HINTS, type ConnectionOptions } from './driver-options.js';
import { coerceFromText, kindProblem, type OptionKind } from './option-kinds.js';
import { InvalidPoolOptionError } from '../errors.js';
import type { PoolLogger } from '../observability/pool-logger.js';
import { Secret, type PasswordSource } from './secret.js';

/** Options the pool owns. Every time is in milliseconds and says so in its name. */
export interface PoolSettings {
  /** Shows in status, errors, logs and metrics. @default "pool-<n>" */
  name?: string;
  /** Connections kept open, also while idle. @default maxSize (or 10) */
  minSize?: number;
  /** Hard cap on open connections (opening ones included). @default 10 (or minSize if larger) */
  maxSize?: number;
  /** Idle connections above minSize are closed after this long idle (ms; 0 = never). @default 600000 */
  maxIdleTimeMs?: number;
  /** A connection is replaced after this age (ms, minus up to 5 % jitter; never while borrowed; 0 = never). @default 3600000 */
  maxLifetimeMs?: number;
  /** Period of the background health check of idle connections (ms). @default 30000 */
  validationIntervalMs?: number;
  /** Run the background health check. @default true */
  enableHealthCheck?: boolean;
  /** One deadline for a whole acquire, queueing, pings and connects included (ms). @default 30000 */
  acquireTimeoutMs?: number;
  /** Ping a connection before lending it when it was idle longer than this (ms; 0 = never ping). @default 250 */
  pingThresholdMs?: number;
  /**
   * On release: `true` = full session reset (COM_RESET_CONNECTION, then re-select the database and
   * re-apply `initSql`/`sessionVariables`, ~150 µs); `false` = ROLLBACK only when a transaction is open
   * (no round trip otherwise). @default false
   */
  resetConnection?: boolean;
  /**
   * Deadline of each statement (ms; 0 = none). The server ends a statement running longer
   * (`max_statement_time`, MariaDB 10.1+; the connection stays usable), and a statement that gets
   * no reply at all for this long plus one second (a network partition, a hung server) fails with
   * StatementTimeoutError and its connection is destroyed. A statement given as
   * `{ sql, timeout }` uses its own `timeout` instead when that is longer. @default 30000
   */
  queryTimeoutMs?: number;
  /** Most callers allowed to wait; beyond, acquire fails at once with PoolQueueFullError (0 = unbounded). @default 0 */
  maxWaiters?: number;
  /** Log a warning, with the acquiring stack, when a connection is held longer than this (ms; 0 = off). @default 0 */
  leakDetectionThresholdMs?: number;
  /** Where background events are reported (pino-compatible). @default undefined (silent) */
  logger?: PoolLogger;
  /**
   * Multiplexing for `pool.query()` / `pool.execute()`: up to this many stateless autocommit
   * statements in flight on one borrowed connection (driver pipelining). 1 = off: each statement
   * borrows a connection exclusively. `acquire()`, `withConnection()` and `transaction()` are
   * never multiplexed. @default 1
   */
  maxPipelineDepth?: number;
}

/** Everything `createPool` / `new Pool` accept: pool settings, driver options and an optional URI. */
export interface PoolOptions extends PoolSettings, ConnectionOptions {
  /** `mariadb://user:password@host:port/database?option=value`; explicit keys override it. */
  uri?: string;
}

/** Driver options after resolution: the password is wrapped so nothing can print it. */
export type ResolvedConnectionOptions = Readonly<
  Omit<ConnectionOptions, 'password' | 'hosts'> & { password?: Secret; hosts: readonly HostAddress[] }
>;

export interface ResolvedPoolOptions {
  readonly name: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly maxIdleTimeMs: number;
  readonly maxLifetimeMs: number;
  readonly validationIntervalMs: number;
  readonly enableHealthCheck: boolean;
  readonly acquireTimeoutMs: number;
  readonly pingThresholdMs: number;
  readonly queryTimeoutMs: number;
  readonly resetConnection: boolean;
  readonly maxWaiters: number;
  readonly leakDetectionThresholdMs: number;
  readonly maxPipelineDepth: number;
  readonly logger: PoolLogger | undefined;
  readonly connection: ResolvedConnectionOptions;
}

/** The pool's defaults (the seed's seconds are milliseconds here). */
export const DEFAULT_POOL_OPTIONS = Object.freeze({
  maxSize: 10,
  maxIdleTimeMs: 600_000,
  maxLifetimeMs: 3_600_000,
  validationIntervalMs: 30_000,
  enableHealthCheck: true,
  acquireTimeoutMs: 30_000,
  pingThresholdMs: 250,
  queryTimeoutMs: 30_000,
  resetConnection: false,
  maxWaiters: 0,
  leakDetectionThresholdMs: 0,
  maxPipelineDepth: 1,
});


const POOL_OPTION_KINDS: Readonly<Record<keyof PoolSettings | 'uri' | 'password' | 'hosts', OptionKind>> = {
  name: 'string',
  minSize: 'size',
  maxSize: 'size',
  maxIdleTimeMs: 'ms',
  maxLifetimeMs: 'ms',
  validationIntervalMs: 'ms',
  enableHealthCheck: 'bool',
  acquireTimeoutMs: 'ms',
  pingThresholdMs: 'ms',
  queryTimeoutMs: 'ms',
  resetConnection: 'bool',
  maxWaiters: 'count',
  leakDetectionThresholdMs: 'ms',
  maxPipelineDepth: 'depth',
  logger: 'logger',
  uri: 'uri',
  password: 'password',
  hosts: 'hosts',
};

const KINDS: Readonly<Record<string, OptionKind>> = { ...DRIVER_OPTION_KINDS, ...POOL_OPTION_KINDS };

let poolCounter = 0;

/**
 * Merges `uri` (if any), `options` and the defaults into one frozen, validated object. Pure but for
 * the generated name. Throws InvalidPoolOptionError naming the option for unknown keys (with a
 * hint), wrong types, negative or non-integer sizes and times, and contradictions. Never mutates
 * its input and never clamps.
 */
export function resolvePoolOptions(uriOrOptions?: string | PoolOptions, more?: PoolOptions): ResolvedPoolOptions {
  const first = typeof uriOrOptions === 'string' ? { uri: uriOrOptions } : (uriOrOptions ?? {});
  if (typeof first !== 'object' || first === null || Array.isArray(first)) {
    throw new InvalidPoolOptionError('options', 'expected a URI string or an options object');
  }
  if (more !== undefined && (typeof more !== 'object' || more === null)) {
    throw new InvalidPoolOptionError('options', 'the second argument must be an options object');
  }
  const explicit: Record<string, unknown> = { ...first, ...more };
  for (const [key, value] of Object.entries(explicit)) {
    if (value === undefined) delete explicit[key];
    else checkKind(key, value);
  }
  const merged = { ...fromUri(explicit['uri'] as string | undefined), ...explicit };
  delete merged['uri'];
  return freezeResolved(merged);
}

function fromUri(uri: string | undefined): Record<string, unknown> {
  if (uri === undefined) return {};
  const parsed = parseConnectionUri(uri);
  const out: Record<string, unknown> = {};
  if (parsed.user !== undefined) out['user'] = parsed.user;
  if (parsed.password !== undefined) out['password'] = parsed.password;
  if (parsed.database !== undefined) out['database'] = parsed.database;
  if (parsed.socketPath !== undefined) out['socketPath'] = parsed.socketPath;
  if (parsed.hosts.length === 1) Object.assign(out, parsed.hosts[0]);
  else if (parsed.hosts.length > 1) out['hosts'] = parsed.hosts;
  for (const [key, text] of Object.entries(parsed.params)) {
    const kind = KINDS[key];
    if (kind === undefined) throw unknownOption(key);
    const value = coerceFromText(key, kind, text);
    checkKind(key, value);
    out[key] = value;
  }
  return out;
}

function freezeResolved(o: Record<string, unknown>): ResolvedPoolOptions {
  const d = DEFAULT_POOL_OPTIONS;
  const minGiven = o['minSize'] as number | undefined;
  const maxSize = (o['maxSize'] as number | undefined) ?? Math.max(d.maxSize, minGiven ?? 0);
  const minSize = minGiven ?? maxSize;
  checkSizes(minSize, maxSize);
  const { name, minSize: _a, maxSize: _b, logger, password, hosts, ...rest } = o;
  const pool = Object.fromEntries(Object.keys(d).map((k) => [k, o[k] ?? d[k as keyof typeof d]]));
  for (const k of Object.keys(d)) delete rest[k];
  const connection: Record<string, unknown> = { ...rest, hosts: Object.freeze(resolveHosts(rest, hosts)) };
  if (password !== undefined) connection['password'] = password instanceof Secret ? password : new Secret(password as PasswordSource);
  delete connection['host'];
  delete connection['port'];
  return Object.freeze({
    ...(pool as Omit<ResolvedPoolOptions, 'name' | 'minSize' | 'maxSize' | 'logger' | 'connection'>),
    name: (name as string | undefined) ?? `pool-${++poolCounter}`,
    minSize,
    maxSize,
    logger: logger as PoolLogger | undefined,
    connection: Object.freeze(connection) as ResolvedConnectionOptions,
  });
}

function resolveHosts(rest: Record<string, unknown>, hosts: unknown): HostAddress[] {
  if (hosts !== undefined) {
    if (rest['host'] !== undefined || rest['port'] !== undefined) {
      throw new InvalidPoolOptionError('hosts', 'give either hosts or host/port, not both');
    }
    return (hosts as HostAddress[]).map((h) => Object.freeze({ host: h.host, port: h.port ?? 3306 }));
  }
  if (rest['socketPath'] !== undefined && rest['host'] === undefined) return [];
  return [{ host: (rest['host'] as string | undefined) ?? 'localhost', port: (rest['port'] as number | undefined) ?? 3306 }];
}

/** Validates a size pair; shared by option resolution and `pool.resize()`. */
export function checkSizes(minSize: number, maxSize: number): void {
  checkKind('minSize', minSize);
  checkKind('maxSize', maxSize);
  if (maxSize < 1) throw new InvalidPoolOptionError('maxSize', `must be at least 1, got ${maxSize}`);
  if (minSize > maxSize) {
    throw new InvalidPoolOptionError('minSize', `minSize (${minSize}) must not exceed maxSize (${maxSize})`);
  }
}

/**
 * Validates a per-call time (`acquire({ timeoutMs })`, `open()`, `close()`) like the pool's own
 * times: a timeout of Infinity, NaN or over 24 days would otherwise become a Node timer of 1 ms.
 */
export function checkCallTimeout(method: string, timeoutMs: unknown): void {
  const problem = kindProblem('ms', timeoutMs);
  if (problem !== undefined) throw new InvalidPoolOptionError('timeoutMs', problem, method);
}

function checkKind(key: string, value: unknown): void {
  const kind = KINDS[key];
  if (kind === undefined) throw unknownOption(key);
  const problem = kindProblem(kind, value);
  if (problem !== undefined) throw new InvalidPoolOptionError(key, problem);
}

function unknownOption(key: string): InvalidPoolOptionError {
  const hint = DRIVER_POOL_OPTION_HINTS[key] ?? closestName(key);
  return new InvalidPoolOptionError(key, `unknown option${hint ? `; did you mean ${hint}?` : ''}`);
}

/** Suggests a known option within edit distance 2 (typos such as `maxsize` or `conectTimeout`). */
function closestName(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of Object.keys(KINDS)) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] as number;
}
