import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pool, type PoolConnection } from '@mariapool/core';
import { FakeConnector, type FakeConnection } from '../support/fake-connector.js';
import { flush, ManualClock } from '../support/manual-clock.js';
import { prng } from '../support/prng.js';

function setup(options: ConstructorParameters<typeof Pool>[0] = {}): { pool: Pool; connector: FakeConnector; clock: ManualClock } {
  const connector = new FakeConnector();
  const clock = new ManualClock();
  const pool = new Pool({ minSize: 1, maxSize: 1, pingThresholdMs: 0, acquireTimeoutMs: 60_000, ...(options as object) }, { connector, clock });
  return { pool, connector, clock };
}

function fakeOf(connector: FakeConnector, conn: PoolConnection): FakeConnection {
  return connector.opened.find((c) => c.threadId === conn.threadId) as FakeConnection;
}

describe('a lease ends only when its session is quiet', () => {
  it('release() with a BEGIN still on the wire: the next borrower waits for it, and the transaction it opened is rolled back first', async () => {
    const { pool, connector, clock } = setup();
    await pool.open();
    connector.holdStatements = true;
    const first = await pool.acquire();
    const begin = first.beginTransaction();
    const released = first.release();
    assert.equal(first.released, true, 'the lease is dead to its holder at once');
    const got: { conn?: PoolConnection } = {};
    const next = pool.acquire().then((c) => (got.conn = c));
    await flush();
    assert.equal(got.conn, undefined, 'the connection was lent while BEGIN was in flight');
    assert.equal(pool.status().borrowed, 1);
    connector.holdStatements = false;
    connector.heldStatements[0]?.settle('ok');
    await begin;
    await released;
    await next;
    const second = got.conn as unknown as PoolConnection;
    const fake = fakeOf(connector, second);
    assert.equal(fake.inTrans, false, 'the next borrower inherited the transaction');
    assert.deepEqual(fake.statements.slice(-2), ['START TRANSACTION', 'ROLLBACK']);
    assert.equal(pool.stats().releasedInFlight, 1);
    assert.equal(pool.stats().badReturns, 1);
    await second.release();
    const closing = pool.close();
    await clock.advance(2000);
    await closing;
  });

  it('release() waits for every statement in flight, whatever order they settle in', async () => {
    const { pool, connector, clock } = setup();
    await pool.open();
    connector.holdStatements = true;
    const lease = await pool.acquire();
    const statements = ['SET @a = 1', 'SELECT GET_LOCK(1)', 'USE other'].map((sql) => lease.query(sql).catch((e: unknown) => e));
    let back = false;
    const released = lease.release().then(() => (back = true));
    await flush();
    connector.heldStatements[2]?.settle('ok');
    connector.heldStatements[0]?.settle('fail');
    await flush();
    assert.equal(back, false, 'released with a statement still in flight');
    assert.equal(pool.status().available, 0);
    connector.heldStatements[0]?.settle('ok');
    await Promise.all(statements);
    await released;
    assert.equal(pool.status().available, 1);
    const closing = pool.close();
    await clock.advance(2000);
    await closing;
  });

  it('a statement that never settles: the connection is destroyed at the bound, never lent again, and release() resolves', async () => {
    const { pool, connector, clock } = setup({ queryTimeoutMs: 0, minSize: 0 });
    await pool.open();
    connector.holdStatements = true;
    const lease = await pool.acquire();
    const fake = fakeOf(connector, lease);
    const stuck = lease.query('SELECT SLEEP(1000)').catch((e: unknown) => e);
    const released = lease.release();
    await clock.advance(4900);
    assert.equal(fake.destroyed, false, 'destroyed before the bound');
    await clock.advance(200);
    await released;
    assert.equal(fake.destroyed, true);
    assert.match(String(((await stuck) as Error).message), /destroyed/);
    connector.holdStatements = false;
    const again = await pool.acquire();
    assert.notEqual(again.threadId, fake.threadId);
    await again.release();
    await pool.close();
  });

  it('destroy() with a statement in flight closes the connection at once', async () => {
    const { pool, connector } = setup({ minSize: 0 });
    await pool.open();
    connector.holdStatements = true;
    const lease = await pool.acquire();
    const fake = fakeOf(connector, lease);
    const stuck = lease.query('SELECT 1').catch((e: unknown) => e);
    await lease.destroy();
    assert.equal(fake.destroyed, true);
    assert.ok((await stuck) instanceof Error);
    await pool.close();
  });

  it('a ConnectionScope finished mid-statement (an HTTP request that ended) releases only once the statement settled', async () => {
    const { pool, connector, clock } = setup();
    const { ConnectionScope } = await import('@mariapool/core/http');
    await pool.open();
    connector.holdStatements = true;
    const scope = new ConnectionScope();
    const conn = await scope.get('default', pool);
    const begin = conn.beginTransaction();
    let finished = false;
    const done = scope.finish().then(() => (finished = true));
    await flush();
    assert.equal(finished, false);
    assert.equal(pool.status().available, 0);
    connector.holdStatements = false; // the pool's own ROLLBACK is not held
    connector.heldStatements[0]?.settle('ok');
    await begin;
    await done;
    assert.equal(fakeOf(connector, conn).inTrans, false, 'the transaction opened after the scope ended was not rolled back');
    const closing = pool.close();
    await clock.advance(2000);
    await closing;
  });

  it('close() during the wait: the connection is closed when its statement settles, within the grace period', async () => {
    const { pool, connector, clock } = setup();
    await pool.open();
    connector.holdStatements = true;
    const lease = await pool.acquire();
    const fake = fakeOf(connector, lease);
    void lease.query('INSERT INTO t VALUES (1)').catch(() => undefined);
    const released = lease.release();
    const closing = pool.close({ timeoutMs: 1000 });
    await clock.advance(100);
    assert.equal(fake.ended || fake.destroyed, false);
    connector.holdStatements = false;
    connector.heldStatements[0]?.settle('ok');
    await clock.advance(10);
    await released;
    await closing;
    assert.equal(connector.live.size, 0);
  });
});

describe('statement deadline (queryTimeoutMs)', () => {
  it('a statement with no reply for queryTimeoutMs + 1 s fails with StatementTimeoutError and its connection is never lent again', async () => {
    const { pool, connector, clock } = setup({ queryTimeoutMs: 2000, minSize: 0 });
    await pool.open();
    connector.holdStatements = true;
    const lease = await pool.acquire();
    const fake = fakeOf(connector, lease);
    const outcome = lease.query('SELECT * FROM partitioned').catch((e: unknown) => e);
    await clock.advance(2900);
    assert.equal(fake.destroyed, false, 'destroyed before the deadline');
    await clock.advance(1300);
    const error = (await outcome) as { code?: string; timeoutMs?: number; cause?: unknown };
    assert.equal(error.code, 'ERR_POOL_STATEMENT_TIMEOUT');
    assert.equal(error.timeoutMs, 3000);
    assert.ok(error.cause instanceof Error);
    assert.equal(fake.destroyed, true);
    assert.equal(pool.stats().statementTimeouts, 1);
    await lease.release();
    connector.holdStatements = false;
    const next = await pool.acquire();
    assert.notEqual(next.threadId, fake.threadId);
    await next.release();
    await pool.close();
    assert.equal(clock.pending, 0, 'the statement watch left a timer after close()');
  });

  it('progress resets the deadline: pipelined statements that each answer in time are never cut off', async () => {
    const { pool, connector, clock } = setup({ queryTimeoutMs: 1000, minSize: 0 });
    await pool.open();
    connector.holdStatements = true;
    const lease = await pool.acquire();
    const results = [1, 2, 3, 4].map((i) => lease.query(`SELECT ${i}`));
    for (let i = 0; i < 4; i++) {
      await clock.advance(1500);
      connector.heldStatements[0]?.settle('ok');
    }
    await Promise.all(results);
    assert.equal(pool.stats().statementTimeouts, 0);
    await lease.release();
    await pool.close();
  });

  it('a statement given its own longer timeout ({ sql, timeout }) is allowed that long', async () => {
    const { pool, connector, clock } = setup({ queryTimeoutMs: 1000, minSize: 0 });
    await pool.open();
    connector.holdStatements = true;
    const lease = await pool.acquire();
    const report = lease.query({ sql: 'SELECT slow_report()', timeout: 5000 });
    await clock.advance(4000);
    assert.equal(pool.stats().statementTimeouts, 0);
    connector.heldStatements[0]?.settle('ok');
    await report;
    await lease.release();
    await pool.close();
  });

  it('queryTimeoutMs: 0 runs no watch at all', async () => {
    const { pool, clock } = setup({ queryTimeoutMs: 0, enableHealthCheck: false, maxIdleTimeMs: 0, maxLifetimeMs: 0 });
    await pool.open();
    const before = clock.pending;
    const { pool: watched, clock: clock2 } = setup({ queryTimeoutMs: 1000, enableHealthCheck: false, maxIdleTimeMs: 0, maxLifetimeMs: 0 });
    await watched.open();
    assert.equal(clock2.pending, before + 1, 'the statement watch is one timer');
    await pool.close();
    await watched.close();
  });
});

const SEEDS = Number(process.env['MARIAPOOL_FUZZ_SEEDS'] ?? 25);
const STEPS = 300;
const SQL = ['START TRANSACTION', 'INSERT INTO t VALUES (1)', 'SET autocommit = 0', 'SET @x = 1', 'SELECT GET_LOCK("l", 0)', 'USE other', 'COMMIT', 'FAIL', 'SELECT 1'];

/**
 * Leases send statements that are left in flight at release and complete later, in random order,
 * among acquires, releases, kills, clock moves and faults. After every completion and every grant:
 * a statement only ever completes while its own lease still holds the connection (or while nobody
 * else does), and a connection is lent only with nothing in flight and no transaction open.
 */
async function runSeed(seed: number): Promise<void> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const connector = new FakeConnector();
  connector.holdStatements = true;
  const clock = new ManualClock();
  const pool = new Pool(
    {
      minSize: Math.floor(random() * 2),
      maxSize: 1 + Math.floor(random() * 3),
      acquireTimeoutMs: 2000,
      pingThresholdMs: pick([0, 50]),
      queryTimeoutMs: pick([0, 300, 2000]),
      resetConnection: random() < 0.3,
    },
    { connector, clock, random },
  );
  /** The lease that was last lent each connection (by thread id), by a token of the test's. */
  const holder = new Map<number | null, number>();
  const held: Array<{ conn: PoolConnection; token: number }> = [];
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  let nextToken = 1;
  const ctx = (): string => `seed ${seed}, status ${JSON.stringify(pool.status())}`;

  connector.onStatementDone = (conn, text, issuer) => {
    if (issuer === undefined) return; // the pool's own statements (rollback, reset)
    assert.equal(holder.get(conn.threadId), issuer, `"${text}" of an ended lease completed in the session of lease ${String(holder.get(conn.threadId))} (${ctx()})`);
  };

  const acquire = (): void => {
    track(
      pool.acquire().then(
        (conn) => {
          const fake = fakeOf(connector, conn);
          assert.equal(connector.heldStatements.filter((h) => h.conn === fake).length, 0, `lent with statements in flight (${ctx()})`);
          assert.equal(fake.inTrans, false, `lent with a transaction open (${ctx()})`);
          assert.equal(fake.autocommitOn, true, `lent with autocommit switched off (${ctx()})`);
          const token = nextToken++;
          holder.set(conn.threadId, token);
          held.push({ conn, token });
        },
        (error: { code?: string }) => {
          assert.ok(['ERR_POOL_ACQUIRE_TIMEOUT', 'ERR_POOL_CLOSED'].includes(String(error.code)), `unexpected acquire error ${String(error.code)}`);
        },
      ),
    );
  };

  const send = (): void => {
    const lease = held[Math.floor(random() * held.length)];
    if (lease === undefined) return;
    connector.issuer = lease.token;
    track(lease.conn.query(pick(SQL)).catch(() => undefined));
    connector.issuer = undefined;
  };

  const giveBack = (): void => {
    const lease = held.splice(Math.floor(random() * held.length), 1)[0];
    if (lease === undefined) return;
    track(random() < 0.15 ? lease.conn.destroy() : lease.conn.release());
  };

  const complete = (): void => {
    const statement = pick(connector.heldStatements);
    statement?.settle(random() < 0.2 ? 'fail' : 'ok');
  };

  for (let step = 0; step < STEPS; step++) {
    const action = pick(['acquire', 'acquire', 'send', 'send', 'send', 'release', 'release', 'complete', 'complete', 'complete', 'time', 'kill'] as const);
    if (action === 'acquire') acquire();
    else if (action === 'send') send();
    else if (action === 'release') giveBack();
    else if (action === 'complete') complete();
    else if (action === 'time') await clock.advance(Math.floor(random() * 400));
    else pick([...connector.live])?.kill();
    await flush();
  }

  for (const lease of held.splice(0)) track(lease.conn.release());
  connector.holdStatements = false;
  for (const statement of [...connector.heldStatements]) statement.settle('ok');
  const closing = pool.close({ timeoutMs: 1000 });
  await clock.advance(10_000);
  await closing;
  await Promise.all(pending);
  assert.equal(connector.live.size, 0, `seed ${seed}: connections left open after close()`);
  assert.equal(clock.pending, 0, `seed ${seed}: timers left after close()`);
}

describe('statements that complete after release, in random order (seeded)', () => {
  it(`never reach the next borrower over ${SEEDS} seeds x ${STEPS} steps`, async () => {
    const base = Number(process.env['MARIAPOOL_FUZZ_BASE'] ?? 1);
    for (let seed = base; seed < base + SEEDS; seed++) await runSeed(seed);
  });
});
