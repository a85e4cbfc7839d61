/**
 * The driver adapter: the only file that imports `mariadb`. It maps resolved options to driver
 * options, opens connections (trying each configured host in turn) and adapts them to the
 * DriverConnection port.
 */
import * as mariadb from 'mariadb';
import net from 'node:net';
import { Readable } from 'node:stream';
import type { ConnectionLostListener, Connector, DriverConnection, QueryValues, Statement } from './connector.js';
import type { HostAddress } from '../options/connection-uri.js';
import type { ResolvedConnectionOptions } from '../options/pool-options.js';

/** Server status flags SERVER_STATUS_IN_TRANS and SERVER_STATUS_AUTOCOMMIT of the protocol's OK packet. */
const STATUS_IN_TRANS = 1;
const STATUS_AUTOCOMMIT = 2;

/** Session variable names are spliced into SQL; accept only plain identifiers. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

class MariaDbConnection implements DriverConnection {
  readonly #conn: mariadb.Connection;
  readonly #socket: net.Socket | undefined;
  readonly #afterReset: string[];
  /** Fixed for the connection's life (a reset keeps the session); read once, not through three getters per borrow. */
  readonly threadId: number | null;

  constructor(conn: mariadb.Connection, socket: net.Socket | undefined, afterReset: string[]) {
    this.#conn = conn;
    this.#socket = socket;
    this.#afterReset = afterReset;
    this.threadId = conn.threadId;
  }

  inTransaction(): boolean {
    return ((this.#conn.info?.status ?? 0) & STATUS_IN_TRANS) !== 0;
  }

  autocommit(): boolean {
    return ((this.#conn.info?.status ?? STATUS_AUTOCOMMIT) & STATUS_AUTOCOMMIT) !== 0;
  }

  isValid(): boolean {
    return this.#conn.isValid();
  }

  query(sql: Statement, values?: QueryValues): Promise<any> {
    return this.#conn.query(sql as string, values);
  }

  execute(sql: Statement, values?: QueryValues): Promise<any> {
    return this.#conn.execute(sql as string, values);
  }

  batch(sql: Statement, values: QueryValues): Promise<any> {
    return this.#conn.batch(sql as string, values as unknown[]);
  }

  queryStream(sql: Statement, values?: QueryValues): { rows: Readable; done: Promise<void> } {
    const source = this.#conn.queryStream(sql as string, values) as Readable & { close?: () => void };
    let settle!: (error?: unknown) => void;
    const done = new Promise<void>((resolve, reject) => (settle = (error) => (error === undefined ? resolve() : reject(error))));
    // Our own stream in front of the driver's: destroying it must not stall the connection. The
    // driver's close() drops the rest of the rows while its socket keeps reading to the end.
    const rows = new Readable({
      objectMode: true,
      read: () => void source.resume(),
      destroy: (error, callback) => {
        source.close?.();
        source.resume();
        callback(error);
      },
    });
    source.on('fields', (meta: unknown) => rows.emit('fields', meta));
    source.on('data', (row: unknown) => {
      if (!rows.destroyed && !rows.push(row)) source.pause();
    });
    source.once('end', () => {
      rows.push(null);
      settle();
    });
    source.once('error', (error: Error) => {
      rows.destroy(error);
      settle(error);
    });
    return { rows, done };
  }

  beginTransaction(): Promise<void> {
    return this.#conn.beginTransaction();
  }

  commit(): Promise<void> {
    return this.#conn.commit();
  }

  rollback(): Promise<void> {
    // The driver skips the round trip when the status flag says no transaction is open.
    return this.#conn.rollback();
  }

  ping(): Promise<void> {
    return this.#conn.ping();
  }

  /**
   * COM_RESET_CONNECTION clears user variables, session variables, temporary tables, prepared
   * statements, locks and transactions, but keeps the current database (a borrower's `USE other`
   * survives) and drops the driver's `sessionVariables`. The driver re-applies
   * charset, timezone and initSql itself; we re-select the configured database and re-apply the
   * session variables, pipelined (sent together, one round trip; no multi-statement mode needed).
   */
  async reset(): Promise<void> {
    await this.#conn.reset();
    if (this.#afterReset.length > 0) await Promise.all(this.#afterReset.map((sql) => this.#conn.query(sql)));
  }

  async end(): Promise<void> {
    await this.#conn.end();
  }

  destroy(): void {
    this.#conn.destroy();
  }

  abort(reason: Error): void {
    // The driver hears the socket's error, fails every command in flight with it and emits 'error'.
    if (this.#socket !== undefined && !this.#socket.destroyed) this.#socket.destroy(reason);
    else this.#conn.destroy();
  }
}

/**
 * Opens the TCP socket the driver would open, through its `stream` option, so the pool holds it
 * and can close it at once (abort). A user's own `stream` is called instead and its socket kept.
 * Unix sockets stay the driver's (it ignores `stream` with socketPath); abort() then destroys.
 */
function socketOpener(config: mariadb.ConnectionConfig): { stream: NonNullable<mariadb.ConnectionConfig['stream']>; socket(): net.Socket | undefined } {
  let socket: net.Socket | undefined;
  const own = config.stream;
  const stream = (callback: (err: Error | null, stream?: net.Socket) => void): net.Socket | undefined => {
    if (own !== undefined) {
      const returned = (own as (cb: typeof callback) => net.Socket | undefined)((err, s) => {
        socket = s;
        callback(err, s);
      });
      if (returned !== undefined) socket = returned;
      return returned;
    }
    socket = net.connect(config.port ?? 3306, config.host ?? 'localhost');
    socket.setNoDelay(true);
    return socket;
  };
  return { stream: stream as NonNullable<mariadb.ConnectionConfig['stream']>, socket: () => socket };
}

/** SQL run after COM_RESET_CONNECTION to restore what the pool's options configured. */
function afterResetStatements(o: ResolvedConnectionOptions): string[] {
  const out: string[] = [];
  if (o.database !== undefined && o.database !== '') out.push(`USE \`${o.database.replaceAll('`', '``')}\``);
  const vars = Object.entries(o.sessionVariables ?? {});
  if (vars.length > 0) {
    const assignments = vars.map(([name, value]) => {
      if (!IDENTIFIER.test(name)) throw new Error(`sessionVariables: "${name}" is not a variable name`);
      return `${name} = ${literal(value)}`;
    });
    out.push(`SET SESSION ${assignments.join(', ')}`);
  }
  return out;
}

function literal(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value === null) return 'NULL';
  return `'${String(value).replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** Session settings the pool owns (not driver options). */
export interface SessionSettings {
  /** Server-side statement limit (ms; 0 = none), set as `max_statement_time` where the server has it. */
  statementTimeoutMs?: number;
}

/** `SET max_statement_time` for servers that have it (MariaDB 10.1.2+), else nothing. */
function statementTimeoutSql(conn: mariadb.Connection, ms: number): string | undefined {
  if (ms <= 0 || !conn.info?.isMariaDB() || !conn.info.hasMinVersion(10, 1, 2)) return undefined;
  return `SET SESSION max_statement_time = ${ms / 1000}`;
}

/**
 * Creates the connector for resolved options. Several hosts are tried round-robin: each connect
 * starts at the next host and moves on when one fails, so a dead host costs one failed attempt.
 */
export function createMariaDbConnector(options: ResolvedConnectionOptions, session: SessionSettings = {}): Connector {
  const { hosts, password, ...rest } = options;
  const afterReset = afterResetStatements(options);
  const base: Record<string, unknown> = { ...rest };
  let next = 0;

  async function connectTo(host: HostAddress | undefined, onLost: ConnectionLostListener): Promise<DriverConnection> {
    const config = { ...base, ...(host ?? {}) } as mariadb.ConnectionConfig;
    if (password !== undefined) config.password = await password.reveal();
    const opener = socketOpener(config);
    if (config.socketPath === undefined) config.stream = opener.stream;
    const conn = await mariadb.createConnection(config);
    // Attached before anything else can run: an unheard 'error' on a killed idle
    // connection is an uncaught exception in the driver.
    conn.on('error', onLost);
    const limit = statementTimeoutSql(conn, session.statementTimeoutMs ?? 0);
    if (limit === undefined) return new MariaDbConnection(conn, opener.socket(), afterReset);
    try {
      await conn.query(limit);
    } catch (error) {
      conn.destroy();
      throw error;
    }
    // COM_RESET_CONNECTION puts the session variable back to the server's default.
    return new MariaDbConnection(conn, opener.socket(), [...afterReset, limit]);
  }

  return {
    async connect(onLost) {
      if (hosts.length <= 1) return connectTo(hosts[0], onLost);
      const start = next++ % hosts.length;
      let lastError: unknown;
      for (let i = 0; i < hosts.length; i++) {
        try {
          return await connectTo(hosts[(start + i) % hosts.length], onLost);
        } catch (error) {
          lastError = error;
        }
      }
      throw lastError;
    },
    describeTarget() {
      if (hosts.length === 0) return String(options.socketPath);
      return hosts.map((h) => `${h.host}:${h.port}`).join(',');
    },
  };
}
