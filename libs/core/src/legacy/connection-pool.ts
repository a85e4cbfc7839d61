import { InvalidPoolOptionError, PoolExhaustedError } from '../errors.js';
import { getPool, registerPool, unregisterPool } from './registry.js';
import { Pool } from '../pool.js';
import type { PoolConnection } from '../lease/pool-connection.js';
import type { ConnectionOptions } from '../options/driver-options.js';

/** Options of the 1.x-style pool (MariaDB Connector/Python `ConnectionPool`). */
export interface ConnectionPoolOptions extends ConnectionOptions {
  /** Required: the pool's name, also its key for {@link getPool}. */
  poolName: string;
  /** Connections in the pool (1-64). @default 5 */
  poolSize?: number;
  /** Full session reset when a connection is returned. @default true */
  poolResetConnection?: boolean;
  /** Ping a connection before lending it when idle longer than this (ms). @default 500 */
  poolValidationIntervalMs?: number;
}

const LEGACY_MAX_SIZE = 64;

/**
 * The 1.x-style pool for users of MariaDB Connector/Python's docs and mysql-connector: a fixed-size
 * pool whose `getConnection()` never waits (PoolExhaustedError when none is free) and whose
 * connections go back with `close()`. Built on {@link Pool}; new code should use that directly.
 */
export class ConnectionPool {
  /** The largest poolSize accepted. */
  readonly maxSize = LEGACY_MAX_SIZE;
  readonly #name: string;
  readonly #size: number;
  readonly #legacy: Omit<ConnectionPoolOptions, keyof ConnectionOptions>;
  #pool: Pool;

  constructor(options: ConnectionPoolOptions) {
    const { poolName, poolSize = 5, poolResetConnection = true, poolValidationIntervalMs = 500, ...connection } = options ?? {};
    if (typeof poolName !== 'string' || poolName === '') throw new InvalidPoolOptionError('poolName', 'is required (a non-empty string)');
    if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > LEGACY_MAX_SIZE) {
      throw new InvalidPoolOptionError('poolSize', `expected an integer 1-${LEGACY_MAX_SIZE}, got ${String(poolSize)}`);
    }
    this.#name = poolName;
    this.#size = poolSize;
    this.#legacy = { poolName, poolSize, poolResetConnection, poolValidationIntervalMs };
    this.#pool = this.#build(connection);
    registerPool(this);
  }

  get poolName(): string {
    return this.#name;
  }

  get poolSize(): number {
    return this.#size;
  }

  /** Open connections (idle and borrowed). */
  get connectionCount(): number {
    return this.#pool.status().size;
  }

  /** The underlying pool, for status(), stats() and everything else. */
  get pool(): Pool {
    return this.#pool;
  }

  /**
   * Opens one more connection, as Connector/Python's `add_connection()` does; PoolExhaustedError
   * when the pool already holds poolSize. Added connections stay open (no idle shrinking).
   */
  async addConnection(): Promise<void> {
    const status = this.#pool.status();
    if (status.size >= this.#size) throw new PoolExhaustedError(status);
    this.#pool.resize({ minSize: status.size + 1 });
    await this.#pool.open();
  }

  /** A free connection now, or PoolExhaustedError at once (no waiting). `close()` returns it. */
  async getConnection(): Promise<LegacyConnection> {
    const s = this.#pool.status();
    // Exhausted when every connection, open or opening, is already promised to someone.
    if (s.available === 0 && s.borrowed + s.waiting >= s.maxSize) throw new PoolExhaustedError(s);
    return new LegacyConnection(await this.#pool.acquire());
  }

  /** Replaces the connection settings: idle connections are replaced now, borrowed ones when closed. */
  setConfig(options: ConnectionOptions): void {
    const old = this.#pool;
    this.#pool = this.#build(options);
    void old.close();
  }

  async close(): Promise<void> {
    unregisterPool(this);
    await this.#pool.close();
  }

  #build(connection: ConnectionOptions): Pool {
    return new Pool({
      ...connection,
      name: this.#name,
      // Connections open on demand (getConnection, addConnection) up to poolSize, and stay.
      minSize: 0,
      maxSize: this.#size,
      maxIdleTimeMs: 0,
      resetConnection: this.#legacy.poolResetConnection ?? true,
      pingThresholdMs: this.#legacy.poolValidationIntervalMs ?? 500,
    });
  }
}

/** A connection from a legacy pool; `close()` returns it to the pool (as in Connector/Python). */
export class LegacyConnection {
  readonly #conn: PoolConnection;

  constructor(conn: PoolConnection) {
    this.#conn = conn;
  }

  get threadId(): number | null {
    return this.#conn.threadId;
  }

  query<T = any>(sql: string, values?: unknown): Promise<T> {
    return this.#conn.query<T>(sql, values);
  }

  execute<T = any>(sql: string, values?: unknown): Promise<T> {
    return this.#conn.execute<T>(sql, values);
  }

  batch<T = any>(sql: string, values: unknown): Promise<T> {
    return this.#conn.batch<T>(sql, values);
  }

  beginTransaction(): Promise<void> {
    return this.#conn.beginTransaction();
  }

  commit(): Promise<void> {
    return this.#conn.commit();
  }

  rollback(): Promise<void> {
    return this.#conn.rollback();
  }

  ping(): Promise<void> {
    return this.#conn.ping();
  }

  /** Returns the connection to its pool (it is not closed). Idempotent. */
  close(): Promise<void> {
    return this.#conn.release();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

export { getPool };
