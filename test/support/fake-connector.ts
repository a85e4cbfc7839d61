import { Readable } from 'node:stream';
import type { ConnectionLostListener, Connector, DriverConnection } from '@mariapool/core';

type Behaviour = 'ok' | 'fail' | 'hang';

/** A statement waiting for the test to let it complete. */
export interface HeldStatement {
  readonly conn: FakeConnection;
  readonly text: string;
  readonly issuer: unknown;
  /** Completes it: 'ok' applies its effects, 'fail' makes it fail, 'destroyed' is the socket going away. */
  settle(outcome: 'ok' | 'fail' | 'destroyed'): void;
}

/** An in-memory connection: records statements, models the in-transaction flag, can be killed. */
export class FakeConnection implements DriverConnection {
  readonly threadId: number;
  readonly statements: string[] = [];
  /** The session's real transaction state. */
  inTrans = false;
  /**
   * Like the mariadb driver, the flag reads true after a failed statement (no OK packet to read
   * it from) until the next success, a ping included.
   */
  #failedLast = false;
  valid = true;
  ended = false;
  destroyed = false;
  pings = 0;
  resets = 0;
  #onLost: ConnectionLostListener;
  #connector: FakeConnector;

  constructor(threadId: number, onLost: ConnectionLostListener, connector: FakeConnector) {
    this.threadId = threadId;
    this.#onLost = onLost;
    this.#connector = connector;
  }

  inTransaction(): boolean {
    return this.inTrans || this.#failedLast;
  }

  /** The session's autocommit mode (`SET autocommit = 0|1`). */
  autocommitOn = true;

  autocommit(): boolean {
    return this.autocommitOn;
  }

  isValid(): boolean {
    return this.valid;
  }

  /** Statements currently running on this connection (pipelined ones included). */
  inFlight = 0;
  maxInFlight = 0;

  async query(sql: unknown, values?: unknown): Promise<any> {
    if (!this.valid) throw Object.assign(new Error('connection closed'), { code: 'ER_CMD_CONNECTION_CLOSED' });
    const text = typeof sql === 'string' ? sql : (sql as { sql: string }).sql;
    const issuer = this.#connector.issuer;
    this.statements.push(text);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let fails = false;
    try {
      if (this.#connector.holdStatements) fails = await this.#held(text, issuer);
      else await this.#connector.queryGate;
    } finally {
      this.inFlight--;
    }
    if (!this.valid) throw Object.assign(new Error('connection destroyed, statement killed'), { code: 'ER_CMD_NOT_EXECUTED_DESTROYED' });
    this.#connector.onStatementDone?.(this, text, issuer);
    this.#failedLast = text === 'FAIL' || fails;
    if (fails) throw Object.assign(new Error('statement failed'), { code: 'ER_FAKE' });
    if (text === 'FAIL') throw Object.assign(new Error('statement failed'), { code: 'ER_FAKE' });
    if (text === 'ECHO') return [{ threadId: this.threadId, value: values }];
    if (/^(BEGIN|START TRANSACTION)/i.test(text) || /^INSERT/i.test(text)) this.inTrans = true;
    if (/^(COMMIT|ROLLBACK)/i.test(text)) this.inTrans = false;
    const autocommit = /^SET autocommit\s*=\s*([01])/i.exec(text);
    if (autocommit) this.autocommitOn = autocommit[1] === '1';
    return [{ threadId: this.threadId }];
  }

  queryStream(sql: unknown): { rows: Readable; done: Promise<void> } {
    const done = this.query(sql).then(() => undefined);
    const rows = Readable.from((async function* () {
      await done;
      yield { threadId: 0 };
    })());
    return { rows, done };
  }

  execute(sql: unknown): Promise<any> {
    return this.query(sql);
  }

  batch(sql: unknown): Promise<any> {
    return this.query(sql);
  }

  async beginTransaction(): Promise<void> {
    await this.query('START TRANSACTION');
  }

  async commit(): Promise<void> {
    await this.query('COMMIT');
  }

  async rollback(): Promise<void> {
    if (this.#connector.rollbackBehaviour === 'fail') throw new Error('rollback failed');
    if (this.inTransaction()) await this.query('ROLLBACK');
  }

  async ping(): Promise<void> {
    this.pings++;
    await this.#respond(this.#connector.pingBehaviour, 'ping failed');
    this.#failedLast = false;
  }

  async reset(): Promise<void> {
    this.resets++;
    await this.#respond(this.#connector.resetBehaviour, 'reset failed');
    this.inTrans = false;
    this.autocommitOn = true;
  }

  async end(): Promise<void> {
    this.ended = true;
    this.valid = false;
    this.#connector.onClosed(this);
  }

  destroy(): void {
    this.destroyed = true;
    this.valid = false;
    this.#connector.onClosed(this);
    // Like the driver: statements still waiting for a reply fail.
    for (const h of this.#connector.heldStatements.filter((h) => h.conn === this)) h.settle('destroyed');
  }

  abort(): void {
    this.destroy();
  }

  /** Waits until the test settles this statement; true when it is to fail. */
  #held(text: string, issuer: unknown): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const held: HeldStatement = {
        conn: this,
        text,
        issuer,
        settle: (outcome) => {
          const list = this.#connector.heldStatements;
          const i = list.indexOf(held);
          if (i < 0) return;
          list.splice(i, 1);
          resolve(outcome === 'fail');
        },
      };
      this.#connector.heldStatements.push(held);
    });
  }

  /** The server killed it: the driver marks it invalid and emits 'error'. */
  kill(): void {
    this.valid = false;
    this.#onLost(new Error('killed by the server'));
  }

  #respond(behaviour: Behaviour, message: string): Promise<void> {
    if (!this.valid) return Promise.reject(new Error('connection closed'));
    if (behaviour === 'fail') return Promise.reject(new Error(message));
    if (behaviour === 'hang') return new Promise<void>(() => {});
    return Promise.resolve();
  }
}

/** A Connector with knobs: failing or held connects, ping/reset/rollback behaviour, counters. */
export class FakeConnector implements Connector {
  readonly opened: FakeConnection[] = [];
  readonly live = new Set<FakeConnection>();
  connectAttempts = 0;
  pingBehaviour: Behaviour = 'ok';
  resetBehaviour: Behaviour = 'ok';
  rollbackBehaviour: 'ok' | 'fail' = 'ok';
  /** While set, connects fail with this error. */
  failWith: Error | undefined;
  /** While true, connects wait until release() is called. */
  holdConnects = false;
  /** While set, every statement waits for it (to observe statements in flight). */
  queryGate: Promise<void> | undefined;
  /** While true, every statement waits until the test settles it (`heldStatements`), in any order. */
  holdStatements = false;
  readonly heldStatements: HeldStatement[] = [];
  /** Who sends statements right now (a test sets it around a lease's call); recorded with each statement. */
  issuer: unknown;
  /** Called as a statement completes on the server, with the issuer it was sent by. */
  onStatementDone: ((conn: FakeConnection, text: string, issuer: unknown) => void) | undefined;
  #held: Array<() => void> = [];
  #nextThread = 1;

  async connect(onLost: ConnectionLostListener): Promise<DriverConnection> {
    this.connectAttempts++;
    if (this.holdConnects) await new Promise<void>((resolve) => this.#held.push(resolve));
    if (this.failWith) throw this.failWith;
    const conn = new FakeConnection(this.#nextThread++, onLost, this);
    this.opened.push(conn);
    this.live.add(conn);
    return conn;
  }

  /** Lets held connects proceed. */
  releaseConnects(): void {
    this.holdConnects = false;
    for (const resolve of this.#held.splice(0)) resolve();
  }

  get heldConnects(): number {
    return this.#held.length;
  }

  onClosed(conn: FakeConnection): void {
    this.live.delete(conn);
  }

  describeTarget(): string {
    return 'fake:0';
  }
}
