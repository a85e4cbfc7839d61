import '../support/guard.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PoolLogger } from '@mariapool/core';
import { adminSql, closeAdmin, testPool } from '../support/db.js';

const TABLE = 'mariapool_cleanup';
const OTHER_DB = 'mariapool_other';

before(async () => {
  await adminSql(`CREATE OR REPLACE TABLE ${TABLE} (id INT PRIMARY KEY)`);
  await adminSql(`CREATE DATABASE IF NOT EXISTS ${OTHER_DB}`);
});
after(async () => {
  await adminSql(`DROP TABLE IF EXISTS ${TABLE}`);
  await adminSql(`DROP DATABASE IF EXISTS ${OTHER_DB}`);
  await closeAdmin();
});

function recordingLogger() {
  const lines: string[] = [];
  const logger: PoolLogger = { warn: (_o, m = '') => lines.push(m), error: (_o, m = '') => lines.push(m) };
  return { lines, logger };
}

describe('rollback on release (resetConnection: false)', () => {
  for (const how of ['BEGIN', 'autocommit=0'] as const) {
    it(`rolls back an open transaction started with ${how}; the next borrower sees none`, async () => {
      const { lines, logger } = recordingLogger();
      const pool = await testPool({ minSize: 1, maxSize: 1, logger });
      const first = await pool.acquire();
      await first.query(how === 'BEGIN' ? 'BEGIN' : 'SET autocommit = 0');
      await first.query(`INSERT INTO ${TABLE} VALUES (1)`);
      assert.equal(first.inTransaction, true);
      await first.release();

      const next = await pool.acquire();
      assert.equal(next.threadId, first.threadId, 'same session reused after the rollback');
      const [row] = await next.query<Array<{ t: number | bigint }>>('SELECT @@in_transaction AS t');
      assert.equal(Number(row?.t), 0);
      const seen = await adminSql<unknown[]>(`SELECT * FROM ${TABLE} WHERE id = 1`);
      assert.equal(seen.length, 0, 'the uncommitted row is gone');
      assert.equal(pool.stats().badReturns, 1);
      assert.equal(lines.filter((l) => /open transaction/.test(l)).length, 1, 'warned once');
      const [mode] = await next.query<Array<{ ac: number | bigint }>>('SELECT @@autocommit AS ac');
      assert.equal(Number(mode?.ac), 1, 'the next borrower inherited autocommit off');
      await next.release();
      await pool.close();
    });
  }

  it('restores autocommit a borrower switched off without writing: the next borrower\'s INSERT commits', async () => {
    const { lines, logger } = recordingLogger();
    const pool = await testPool({ minSize: 1, maxSize: 1, logger });
    const first = await pool.acquire();
    await first.query('SET autocommit = 0');
    assert.equal(first.inTransaction, false, 'no transaction is open yet');
    await first.release();
    await pool.query(`INSERT INTO ${TABLE} VALUES (7)`);
    const seen = await adminSql<unknown[]>(`SELECT * FROM ${TABLE} WHERE id = 7`);
    assert.equal(seen.length, 1, 'the next borrower\'s write was left in a transaction nobody commits');
    assert.equal(pool.stats().badReturns, 1);
    assert.equal(lines.filter((l) => /autocommit switched/.test(l)).length, 1);
    await adminSql(`DELETE FROM ${TABLE} WHERE id = 7`);
    await pool.close();
  });

  // The driver marks a session "in transaction" after any failed statement (it cannot tell).
  it('after a failed statement in autocommit mode: no ROLLBACK, no bad return, no warning', async () => {
    const { lines, logger } = recordingLogger();
    const pool = await testPool({ minSize: 1, maxSize: 1, logger });
    const first = await pool.acquire();
    const [before] = await first.query<Array<{ Value: string }>>("SHOW SESSION STATUS LIKE 'Com_rollback'");
    await assert.rejects(first.query('SELECT * FROM mariapool_no_such_table'), { code: 'ER_NO_SUCH_TABLE' });
    assert.equal(first.inTransaction, true, "the driver's guess, which the pool must check");
    await first.release();
    const next = await pool.acquire();
    assert.equal(next.threadId, first.threadId);
    const [afterRow] = await next.query<Array<{ Value: string }>>("SHOW SESSION STATUS LIKE 'Com_rollback'");
    assert.equal(Number(afterRow?.Value), Number(before?.Value), 'no ROLLBACK was sent');
    assert.equal(pool.stats().badReturns, 0);
    assert.deepEqual(lines, []);
    await next.release();
    await pool.close();
  });

  it('after a CALL that opened a transaction and then failed: rolled back, counted, warned', async () => {
    const { lines, logger } = recordingLogger();
    await adminSql(`CREATE OR REPLACE PROCEDURE mariapool_half_done() BEGIN START TRANSACTION; INSERT INTO ${TABLE} VALUES (2); SELECT * FROM mariapool_no_such_table; END`);
    try {
      const pool = await testPool({ minSize: 1, maxSize: 1, logger });
      const first = await pool.acquire();
      await assert.rejects(first.query('CALL mariapool_half_done()'), { code: 'ER_NO_SUCH_TABLE' });
      await first.release();
      const next = await pool.acquire();
      assert.equal(next.threadId, first.threadId);
      const [row] = await next.query<Array<{ t: number | bigint }>>('SELECT @@in_transaction AS t');
      assert.equal(Number(row?.t), 0);
      assert.equal((await adminSql<unknown[]>(`SELECT * FROM ${TABLE} WHERE id = 2`)).length, 0, 'the half-done insert is gone');
      assert.equal(pool.stats().badReturns, 1);
      assert.equal(lines.filter((l) => /open transaction/.test(l)).length, 1);
      await next.release();
      await pool.close();
    } finally {
      await adminSql('DROP PROCEDURE IF EXISTS mariapool_half_done');
    }
  });

  it('sends no statement on release when no transaction is open', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 1 });
    const conn = await pool.acquire();
    const before = await conn.query<Array<{ Value: string }>>("SHOW SESSION STATUS LIKE 'Questions'");
    await conn.release();
    const again = await pool.acquire();
    const afterRows = await again.query<Array<{ Value: string }>>("SHOW SESSION STATUS LIKE 'Questions'");
    // Exactly one statement in between: the second SHOW itself.
    assert.equal(Number(afterRows[0]?.Value) - Number(before[0]?.Value), 1);
    await again.release();
    await pool.close();
  });
});

describe('full reset on release (resetConnection: true)', () => {
  it('clears every kind of session state and re-selects the configured database', async () => {
    const pool = await testPool({
      minSize: 1,
      maxSize: 1,
      resetConnection: true,
      sessionVariables: { sql_mode: 'STRICT_ALL_TABLES', lock_wait_timeout: 77 },
    });
    const dirty = await pool.acquire();
    const [configured] = await dirty.query<Array<{ db: string; mode: string; lwt: bigint }>>(
      'SELECT DATABASE() AS db, @@SESSION.sql_mode AS mode, @@SESSION.lock_wait_timeout AS lwt',
    );
    assert.equal(configured?.mode, 'STRICT_ALL_TABLES');
    for (const sql of [
      `USE ${OTHER_DB}`,
      "SET @uv = 'leak'",
      "SET SESSION sql_mode = 'ANSI_QUOTES', time_zone = '+05:00', lock_wait_timeout = 5",
      'SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE',
      'SET autocommit = 0',
      "SELECT GET_LOCK('mariapool_lock', 0)",
      'CREATE TEMPORARY TABLE mariapool_tmp (x INT)',
      "PREPARE mariapool_stmt FROM 'SELECT 1'",
      `INSERT INTO test.${TABLE} VALUES (2)`,
    ]) {
      await dirty.query(sql);
    }
    await dirty.release();

    const clean = await pool.acquire();
    assert.equal(clean.threadId, dirty.threadId, 'same session, reset rather than reconnected');
    const [s] = await clean.query<Array<Record<string, unknown>>>(
      `SELECT DATABASE() AS db, @uv AS uv, @@SESSION.sql_mode AS mode, @@SESSION.lock_wait_timeout AS lwt,
              @@SESSION.time_zone = @@GLOBAL.time_zone AS tz_default, @@autocommit AS ac,
              @@SESSION.tx_isolation AS iso, IS_USED_LOCK('mariapool_lock') AS lock_owner,
              @@in_transaction AS in_tx`,
    );
    assert.equal(s?.['db'], configured?.db, 'configured database re-selected');
    assert.equal(s?.['uv'], null);
    assert.equal(s?.['mode'], 'STRICT_ALL_TABLES', 'configured session variables re-applied');
    assert.equal(Number(s?.['lwt']), 77);
    assert.equal(Number(s?.['tz_default']), 1);
    assert.equal(Number(s?.['ac']), 1);
    assert.equal(s?.['iso'], 'REPEATABLE-READ');
    assert.equal(s?.['lock_owner'], null);
    assert.equal(Number(s?.['in_tx']), 0);
    await assert.rejects(clean.query('SELECT * FROM mariapool_tmp'), /doesn't exist/);
    await assert.rejects(clean.query('EXECUTE mariapool_stmt'), /Unknown prepared statement/);
    assert.equal((await adminSql<unknown[]>(`SELECT * FROM ${TABLE} WHERE id = 2`)).length, 0);
    await clean.release();
    await pool.close();
  });

  it('destroys a connection whose reset fails (killed while being returned)', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 1, resetConnection: true });
    const conn = await pool.acquire();
    await adminSql(`KILL CONNECTION ${conn.threadId}`);
    await new Promise((r) => setTimeout(r, 50));
    await conn.release(); // must resolve, not throw
    const next = await pool.acquire();
    assert.notEqual(next.threadId, conn.threadId);
    await next.query('SELECT 1');
    await next.release();
    assert.equal(pool.stats().lost, 1);
    await pool.close();
  });
});
