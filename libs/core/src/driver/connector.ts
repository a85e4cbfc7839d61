import type { Readable } from 'node:stream';

/**
 * The port between the pool and a database driver. The pool's state machine only talks to this,
 * so it can be tested against a fake and the driver stays in one file (mariadb-connector.ts).
 */

/** Result row types are the caller's business; the driver returns rows or an OK packet. */
export type QueryValues = unknown;

/** Statement text, or the driver's options object carrying `sql` (e.g. `{ sql, timeout, rowsAsArray }`). */
export type Statement = string | ({ sql: string } & Record<string, unknown>);

/** What the pool needs of one open driver connection. */
export interface DriverConnection {
  readonly threadId: number | null;
  /**
   * True while the server has a transaction open on this session, from the last OK packet's
   * status flags; also true after a failed statement (no OK packet: the driver cannot tell), until
   * the next successful round trip, e.g. a ping.
   */
  inTransaction(): boolean;
  /** True while the session autocommits, from the last OK packet's status flags (no round trip). */
  autocommit(): boolean;
  /** False once the driver knows the socket is gone. */
  isValid(): boolean;
  query(sql: Statement, values?: QueryValues): Promise<any>;
  execute(sql: Statement, values?: QueryValues): Promise<any>;
  batch(sql: Statement, values: QueryValues): Promise<any>;
  /**
   * Streams a result set with backpressure: `rows` (object mode), and `done`, which settles once
   * the server's whole answer has been read, also when `rows` was destroyed early (the rest is
   * read and dropped), so the session is quiet again.
   */
  queryStream(sql: Statement, values?: QueryValues): { rows: Readable; done: Promise<void> };
  beginTransaction(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  ping(): Promise<void>;
  /** Full session reset (COM_RESET_CONNECTION) then re-select the database and re-apply session settings. */
  reset(): Promise<void>;
  /** Graceful close (COM_QUIT). */
  end(): Promise<void>;
  /**
   * Closes the connection at once, without waiting for the server; with a statement running, the
   * driver first asks the server (over a new connection) to kill the session.
   */
  destroy(): void;
  /**
   * For a server that no longer answers: closes the socket now, so every statement in flight
   * fails at once with `reason` (destroy() would wait for the server to confirm).
   */
  abort(reason: Error): void;
}

/** Called by the driver adapter when a connection dies on its own (server kill, network drop). */
export type ConnectionLostListener = (error: Error) => void;

export interface Connector {
  /**
   * Opens one connection. `onLost` must be wired before the promise resolves: a connection killed
   * while idle emits an error that, unheard, would crash the process.
   */
  connect(onLost: ConnectionLostListener): Promise<DriverConnection>;
  /** Where connections go, for messages (`host:port` or socket path; never credentials). */
  describeTarget(): string;
}
