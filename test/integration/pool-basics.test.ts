import '../support/guard.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AcquireTimeoutError, ConnectionReleasedError, createPool, Pool, type PoolConnection } from '@mariapool/core';
import { adminSql, closeAdmin, liveThreadIds, sessionsGone, MARIADB_URL, testPool } from '../support/db.js';

const TABLE = 'mariapool_basics';

before(async () => {
  await adminSql(`CREATE OR REPLACE TABLE ${TABLE} (id INT PRIMARY KEY, name VARCHAR(50))`);
});
after(async () => {
  await adminSql(`DROP TABLE IF EXISTS ${TABLE}`);
  await closeAdmin();
});

describe('core API against the server', () => {
  it('createPool(uri, options) opens minSize connections and runs statements', async () => {
    const pool = await createPool(MARIADB_URL, { minSize: 2, maxSize: 4, name: 'basics' });
    assert.equal(pool.status().size, 2);
    assert.equal(pool.name, 'basics');
    const [row] = await pool.query<Array<{ n: bigint | number }>>('SELECT ? + 1 AS n', [41]);
    assert.equal(Number(row?.n), 42);
    const [prepared] = await pool.execute<Array<{ s: string }>>('SELECT CONCAT(?, ?) AS s', ['a', 'b']);
    assert.equal(prepared?.s, 'ab');
    await pool.batch(`INSERT INTO ${TABLE} VALUES (?, ?)`, [[1, 'one'], [2, 'two']]);
    const rows = await pool.query<unknown[]>(`SELECT * FROM ${TABLE} ORDER BY id`);
    assert.equal(rows.length, 2);
    await pool.close();
  });

  it('new Pool(options) + open() with an options object', async () => {
    const url = new URL(MARIADB_URL.replace(/^mariadb:/, 'http:'));
    const pool = new Pool({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), database: url.pathname.slice(1), minSize: 1, maxSize: 2 });
    assert.equal(pool.status().size, 0, 'no I/O in the constructor');
    await pool.open();
    assert.equal(pool.status().size, 1);
    await pool.close();
  });

  it('releases with await using, also when the block throws', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 1 });
    let seen: PoolConnection | undefined;
    await assert.rejects(async () => {
      await using conn = await pool.acquire();
      seen = conn;
      assert.equal(pool.status().borrowed, 1);
      await conn.query('SELECT 1');
      throw new Error('inside the block');
    }, /inside the block/);
    assert.equal(seen?.released, true);
    assert.equal(pool.status().borrowed, 0);
    assert.equal(pool.status().available, 1);
    await pool.close();
  });

  it('transaction() commits, or rolls back and rethrows', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 2 });
    await pool.transaction((c) => c.query(`INSERT INTO ${TABLE} VALUES (10, 'kept')`));
    await assert.rejects(
      pool.transaction(async (c) => {
        await c.query(`INSERT INTO ${TABLE} VALUES (11, 'dropped')`);
        throw new Error('abort');
      }),
      /abort/,
    );
    const rows = await adminSql<Array<{ id: number }>>(`SELECT id FROM ${TABLE} WHERE id >= 10 ORDER BY id`);
    assert.deepEqual(rows.map((r) => r.id), [10]);
    await pool.close();
  });

  it('withConnection keeps one session for the callback and releases it after', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 2 });
    const ids = await pool.withConnection(async (c) => {
      const a = await c.query<Array<{ id: bigint }>>('SELECT CONNECTION_ID() AS id');
      const b = await c.query<Array<{ id: bigint }>>('SELECT CONNECTION_ID() AS id');
      return [Number(a[0]?.id), Number(b[0]?.id), c.threadId];
    });
    assert.equal(ids[0], ids[1]);
    assert.equal(ids[0], ids[2]);
    assert.equal(pool.status().borrowed, 0);
    await pool.close();
  });

  it('concurrent load: every caller served, nothing lent twice, counters consistent', async () => {
    const pool = await testPool({ minSize: 2, maxSize: 4 });
    const inUse = new Set<number | null>();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        pool.withConnection(async (c) => {
          assert.ok(!inUse.has(c.threadId), 'one connection lent to two callers');
          inUse.add(c.threadId);
          await c.query('SELECT ?', [i]);
          inUse.delete(c.threadId);
        }),
      ),
    );
    const s = pool.status();
    assert.deepEqual([s.borrowed, s.waiting, s.available], [0, 0, s.size]);
    assert.ok(s.size <= 4);
    assert.equal(pool.stats().requests, 200);
    await pool.close();
  });

  it('5,000 callers queued on 2 connections: served in arrival order, each gets its own result; short per-call timeouts among them expire alone', async () => {
    const pool = await testPool({ minSize: 2, maxSize: 2, acquireTimeoutMs: 60_000 });
    const holders = [await pool.acquire(), await pool.acquire()];
    const served: number[] = [];
    // Four callers among the first 2,000 wait at most 50 ms.
    const shortWait = (i: number) => i < 2000 && i % 500 === 250;
    const calls: Array<Promise<unknown>> = [];
    const queue = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        calls.push(
          shortWait(i)
            ? pool.acquire({ timeoutMs: 50 }).then(
                async (c) => (await c.release(), 'served'),
                (e: unknown) => (e instanceof AcquireTimeoutError ? 'timed out' : e),
              )
            : pool.acquire().then(async (c) => {
                served.push(i);
                // The head of the line is now mid-queue: 3,000 newcomers wrap around it and grow it.
                if (i === 100) queue(2000, 5000);
                try {
                  const rows = await c.query<Array<{ v: number | bigint }>>('SELECT ? AS v', [i]);
                  assert.equal(Number(rows[0]?.v), i, 'a caller got its own result');
                } finally {
                  await c.release();
                }
                return 'served';
              }),
        );
      }
    };
    queue(0, 2000);
    assert.equal(pool.status().waiting, 2000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the 50 ms waiters expire meanwhile
    assert.equal(pool.status().waiting, 1996);
    for (const h of holders) await h.release();
    while ((await Promise.all(calls.slice())).length < 5000);
    const outcomes = await Promise.all(calls);
    assert.equal(outcomes.filter((o) => o === 'timed out').length, 4, 'only the short waits queued before the 200 ms pause expired');
    assert.equal(outcomes.filter((o) => o === 'served').length, 4996);
    assert.deepEqual(
      served,
      Array.from({ length: 5000 }, (_, i) => i).filter((i) => !shortWait(i)),
    );
    assert.deepEqual([pool.status().waiting, pool.status().borrowed, pool.stats().timeouts, pool.stats().queued], [0, 0, 4, 5000]);
    await pool.close();
  });

  it('a stale lease stays dead when its session is lent again, and when close() force-closes a borrowed one', async () => {
    const pool = await createPool(MARIADB_URL, { minSize: 1, maxSize: 1, name: 'stale' });
    const first = await pool.acquire();
    await first.release();
    const second = await pool.acquire();
    assert.equal(second.threadId, first.threadId, 'the same server session, lent again');
    assert.equal(first.released, true);
    await assert.rejects(first.query('SELECT 1'), ConnectionReleasedError, 'the old lease cannot reach the new borrower\'s session');
    assert.equal(first.inTransaction, false);
    await first.release(); // harmless: it must not give back the session the second borrower holds
    assert.equal(pool.status().borrowed, 1, 'still lent to the second borrower');
    const [row] = await second.query<Array<{ id: bigint | number }>>('SELECT CONNECTION_ID() AS id');
    assert.equal(Number(row?.id), second.threadId);
    await pool.close({ timeoutMs: 100 }); // second is still held: force-closed after the grace period
    assert.equal(second.released, true, 'the force-closed lease reads as released');
    await assert.rejects(second.query('SELECT 1'), ConnectionReleasedError);
    await second.release();
  });

  it('close() leaves no server session behind', async () => {
    const pool = await testPool({ minSize: 3, maxSize: 3 });
    const ids = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]).then(async (conns) => {
      for (const c of conns) await c.release();
      return conns.map((c) => c.threadId);
    });
    assert.equal((await liveThreadIds(ids)).length, 3);
    await pool.close();
    assert.deepEqual(await sessionsGone(ids), []);
  });
});

describe('multiplexed pool.query() against the server', () => {
  it('maxPipelineDepth 4 on 2 connections: 200 concurrent statements, each result to its caller, errors attributed', async () => {
    const pool = await testPool({ minSize: 2, maxSize: 2, maxPipelineDepth: 4 });
    const calls = Array.from({ length: 200 }, (_, i) =>
      i === 57
        ? pool.query('SELECT * FROM mariapool_no_such_table').then(() => 'ok', (e: { code?: string }) => e.code)
        : pool.query<Array<{ v: bigint | number }>>('SELECT ? AS v', [i]).then((rows) => Number(rows[0]?.v)),
    );
    const results = await Promise.all(calls);
    results.forEach((r, i) => assert.equal(r, i === 57 ? 'ER_NO_SUCH_TABLE' : i, `caller ${i}`));
    assert.equal(pool.status().borrowed, 0);
    assert.equal(pool.status().size, 2);
    await pool.close();
  });
});
