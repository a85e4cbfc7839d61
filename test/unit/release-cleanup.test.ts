import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setup, fake } from '../support/fake-pool.js';

describe('release cleanup', () => {
  it('rolls back an open transaction, counts a bad return and warns', async () => {
    const { pool, connector, logs } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const conn = await pool.acquire();
    fake(conn, connector).inTrans = true;
    await conn.release();
    assert.equal(connector.opened[0]?.statements.at(-1), 'ROLLBACK');
    assert.equal(pool.stats().badReturns, 1);
    assert.equal(logs.filter((l) => /open transaction/.test(l.msg)).length, 1);
    await pool.close();
  });

  it('after a failed statement (the driver then claims a transaction) asks with a ping and rolls back nothing', async () => {
    const { pool, connector, logs } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const conn = await pool.acquire();
    const f = fake(conn, connector);
    await assert.rejects(conn.query('FAIL'), /statement failed/);
    assert.equal(conn.inTransaction, true, 'the flag the pool must not take at its word');
    await conn.release();
    assert.deepEqual(f.statements, ['FAIL'], 'no ROLLBACK sent');
    assert.equal(f.pings, 1);
    assert.equal(pool.stats().badReturns, 0);
    assert.deepEqual(logs.filter((l) => /open transaction/.test(l.msg)), []);
    const next = await pool.acquire();
    assert.equal(next.threadId, f.threadId, 'the clean session is reused');
    assert.equal(next.inTransaction, false);
    await next.release();
    await pool.close();
  });

  it('after a failed statement inside a transaction still rolls back, counts and warns', async () => {
    const { pool, connector, logs } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const conn = await pool.acquire();
    await conn.beginTransaction();
    await assert.rejects(conn.query('FAIL'), /statement failed/);
    await conn.release();
    assert.deepEqual(connector.opened[0]?.statements, ['START TRANSACTION', 'FAIL', 'ROLLBACK']);
    assert.equal(pool.stats().badReturns, 1);
    assert.equal(logs.filter((l) => /open transaction/.test(l.msg)).length, 1);
    await pool.close();
  });

  it('sends nothing on release when no transaction is open', async () => {
    const { pool, connector } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const conn = await pool.acquire();
    await conn.release();
    assert.deepEqual(connector.opened[0]?.statements, []);
    await pool.close();
  });

  it('resets the session on every release with resetConnection', async () => {
    const { pool, connector } = setup({ maxSize: 1, minSize: 1, resetConnection: true });
    await pool.open();
    for (let i = 0; i < 3; i++) await (await pool.acquire()).release();
    assert.equal(connector.opened[0]?.resets, 3);
    await pool.close();
  });

  it('destroys a connection whose cleanup fails, and release() still resolves', async () => {
    const { pool, connector } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const conn = await pool.acquire();
    const f = fake(conn, connector);
    f.inTrans = true;
    connector.rollbackBehaviour = 'fail';
    await conn.release();
    assert.equal(f.destroyed, true);
    assert.equal(pool.stats().lost, 1);
    connector.rollbackBehaviour = 'ok';
    const next = await pool.acquire();
    assert.notEqual(next.threadId, f.threadId);
    await next.release();
    await pool.close();
  });

  it('destroys a connection whose reset hangs, after a bounded time', async () => {
    const { pool, connector, clock } = setup({ maxSize: 1, minSize: 1, resetConnection: true, acquireTimeoutMs: 2000 });
    await pool.open();
    const conn = await pool.acquire();
    connector.resetBehaviour = 'hang';
    let released = false;
    void conn.release().then(() => (released = true));
    await clock.advance(1999);
    assert.equal(released, false);
    await clock.advance(1);
    assert.equal(released, true);
    assert.equal(connector.opened[0]?.destroyed, true);
    await pool.close();
  });

  it('never returns a connection that broke while borrowed', async () => {
    const { pool, connector } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const conn = await pool.acquire();
    fake(conn, connector).kill();
    await conn.release();
    assert.equal(pool.stats().lost, 1);
    const next = await pool.acquire();
    assert.notEqual(next.threadId, conn.threadId);
    await next.release();
    await pool.close();
  });
});
