import '../support/guard.js';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, describe, it } from 'node:test';
import { closeAdmin, testPool } from '../support/db.js';

after(closeAdmin);

const ROWS = 'SELECT seq AS n, REPEAT("x", 200) AS pad FROM seq_1_to_20000';

describe('conn.queryStream()', () => {
  it('streams every row with backpressure (a slow consumer gets them all, in order)', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 1 });
    const conn = await pool.acquire();
    let count = 0;
    let last = 0;
    let inOrder = true;
    await pipeline(
      conn.queryStream(ROWS),
      new Writable({
        objectMode: true,
        highWaterMark: 4,
        write(row: { n: number | bigint }, _enc, done) {
          const n = Number(row.n);
          inOrder &&= n === last + 1;
          last = n;
          count++;
          // A slow consumer now and then: the stream must wait for it, not buffer everything.
          if (count % 5000 === 0) setTimeout(done, 20);
          else done();
        },
      }),
    );
    assert.equal(count, 20_000);
    assert.equal(inOrder, true);
    await conn.release();
    await pool.close();
  });

  it('a release while the stream runs waits for it: the next borrower gets a quiet session', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 1 });
    const conn = await pool.acquire();
    const stream = conn.queryStream(ROWS);
    let rows = 0;
    stream.on('data', () => rows++);
    const ended = new Promise((resolve) => stream.once('end', resolve));
    await conn.release();
    assert.equal(rows, 20_000, 'release() resolved before the stream was read to its end');
    await ended;
    assert.equal(pool.stats().releasedInFlight, 1);
    const next = await pool.acquire();
    assert.equal((await next.query<Array<{ one: number }>>('SELECT 1 AS one'))[0]?.one, 1);
    await next.release();
    await pool.close();
  });

  it('destroyed early, the rest is dropped and the connection is usable again (not stalled)', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 1 });
    const conn = await pool.acquire();
    const stream = conn.queryStream(ROWS);
    let rows = 0;
    await new Promise<void>((resolve) => {
      stream.on('data', () => {
        if (++rows === 100) {
          stream.destroy();
          resolve();
        }
      });
    });
    const started = performance.now();
    const [row] = await conn.query<Array<{ one: number }>>('SELECT 1 AS one');
    assert.equal(row?.one, 1, 'the next statement ran after the dropped rows');
    assert.ok(performance.now() - started < 5000);
    await conn.release();
    const next = await pool.acquire();
    assert.equal(next.threadId, conn.threadId, 'the same connection, not destroyed');
    await next.release();
    await pool.close();
  });

  it('an error in the statement reaches the stream, and the connection goes back clean', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 1 });
    const conn = await pool.acquire();
    const stream = conn.queryStream('SELECT * FROM mariapool_no_such_table');
    const error = await new Promise<unknown>((resolve) => stream.once('error', resolve));
    assert.equal((error as { code?: string }).code, 'ER_NO_SUCH_TABLE');
    await conn.release();
    assert.equal(pool.stats().badReturns, 0);
    await pool.close();
  });
});
