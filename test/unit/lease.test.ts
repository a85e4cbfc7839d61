import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AcquireTimeoutError, ConnectionReleasedError } from '@mariapool/core';
import { setup, fake } from '../support/fake-pool.js';

describe('leases', () => {
  it('fails every method after release and keeps release idempotent', async () => {
    const { pool } = setup();
    await pool.open();
    const conn = await pool.acquire();
    await conn.release();
    await conn.release();
    assert.equal(pool.status().available, 2);
    await assert.rejects(conn.query('SELECT 1'), ConnectionReleasedError);
    await assert.rejects(conn.execute('SELECT 1'), /already released/);
    await assert.rejects(conn.beginTransaction(), ConnectionReleasedError);
    await pool.close();
  });

  it('a stale lease cannot reach the connection after it is lent again', async () => {
    const { pool } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const first = await pool.acquire();
    await first.release();
    const second = await pool.acquire();
    assert.equal(second.threadId, first.threadId);
    await assert.rejects(first.query('DELETE FROM t'), ConnectionReleasedError);
    await second.release();
    await pool.close();
  });

  it('through the queue, each waiter gets a lease of its own; earlier ones stay dead', async () => {
    const { pool, clock, connector } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const holder = await pool.acquire();
    const expired = pool.acquire({ timeoutMs: 10 }).catch((e: unknown) => e);
    const w1 = pool.acquire();
    const w2 = pool.acquire();
    await clock.advance(10);
    assert.ok((await expired) instanceof AcquireTimeoutError);
    await holder.release();
    const first = await w1;
    assert.equal(first.threadId, holder.threadId);
    await first.release();
    const second = await w2;
    assert.notEqual(second, first);
    assert.equal(second.threadId, holder.threadId);
    for (const stale of [holder, first]) await assert.rejects(stale.query('DELETE FROM t'), ConnectionReleasedError);
    await second.query('SELECT 1');
    assert.deepEqual(fake(second, connector).statements, ['SELECT 1']);
    await second.release();
    await pool.close();
  });

  it('destroy() evicts instead of reusing', async () => {
    const { pool, connector } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const conn = await pool.acquire();
    const f = fake(conn, connector);
    await conn.destroy();
    assert.equal(f.valid, false);
    const next = await pool.acquire();
    assert.notEqual(next.threadId, conn.threadId);
    await next.release();
    await pool.close();
  });

  it('withConnection releases when the callback throws', async () => {
    const { pool } = setup();
    await pool.open();
    await assert.rejects(pool.withConnection(async () => { throw new Error('boom'); }), /boom/);
    assert.equal(pool.status().borrowed, 0);
    await pool.close();
  });

  it('transaction() commits on success and rolls back on throw', async () => {
    const { pool, connector } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    await pool.transaction(async (c) => c.query('UPDATE t SET x = 1'));
    await assert.rejects(pool.transaction(async (c) => { await c.query('UPDATE t SET x = 2'); throw new Error('no'); }), /no/);
    assert.deepEqual(connector.opened[0]?.statements, ['START TRANSACTION', 'UPDATE t SET x = 1', 'COMMIT', 'START TRANSACTION', 'UPDATE t SET x = 2', 'ROLLBACK']);
    await pool.close();
  });
});
