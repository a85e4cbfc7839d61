import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionReleasedError, InvalidPoolOptionError, PoolClosedError, PoolOpenError } from '@mariapool/core';
import { setup } from '../support/fake-pool.js';
import { flush } from '../support/manual-clock.js';

describe('resize', () => {
  it('applies new bounds without interrupting borrowers', async () => {
    const { pool, connector } = setup({ minSize: 2, maxSize: 4 });
    await pool.open();
    const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    pool.resize({ minSize: 1, maxSize: 1 });
    assert.equal(pool.status().borrowed, 3);
    for (const c of held) await c.release();
    assert.equal(pool.status().size, 1);
    pool.resize({ minSize: 3, maxSize: 5 });
    await flush();
    assert.equal(pool.status().size, 3);
    assert.equal(connector.live.size, 3);
    assert.throws(() => pool.resize({ minSize: 6, maxSize: 5 }), InvalidPoolOptionError);
    assert.throws(() => pool.resize({ maxSize: 0 }), /maxSize/);
    assert.throws(() => pool.resize({ minSize: -1 }), /minSize/);
    assert.equal(pool.status().maxSize, 5, 'a rejected resize changes nothing');
    await pool.close();
  });
});

describe('close', () => {
  it('rejects waiters at once, lets borrowers finish, then closes everything', async () => {
    const { pool, connector } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const held = await pool.acquire();
    const waiting = pool.acquire().catch((e: unknown) => e);
    let closed = false;
    const closing = pool.close().then(() => (closed = true));
    assert.ok((await waiting) instanceof PoolClosedError);
    await flush();
    assert.equal(closed, false, 'waits for the borrower');
    assert.deepEqual(await held.query('SELECT 1'), [{ threadId: 1 }]);
    await held.release();
    await closing;
    assert.equal(connector.live.size, 0);
    await assert.rejects(pool.acquire(), PoolClosedError);
    await pool.close(); // harmless
  });

  it('destroys borrowed connections after the grace period and revokes their leases', async () => {
    const { pool, connector, clock } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const held = await pool.acquire();
    const closing = pool.close({ timeoutMs: 500 });
    await clock.advance(500);
    await closing;
    assert.equal(connector.live.size, 0);
    assert.equal(held.released, true, 'the lease reads as released once revoked');
    await assert.rejects(held.query('SELECT 1'), ConnectionReleasedError);
    await assert.rejects(held.execute('SELECT 1'), ConnectionReleasedError);
    await assert.rejects(held.beginTransaction(), ConnectionReleasedError);
    await held.release();
    assert.equal(clock.pending, 0, 'no timer left behind');
  });

  it('closes connections that finish opening after close()', async () => {
    const { pool, connector } = setup({ minSize: 2 });
    connector.holdConnects = true;
    const opening = pool.open().catch((e: unknown) => e);
    await flush();
    const closing = pool.close();
    connector.releaseConnects();
    await closing;
    assert.ok((await opening) instanceof PoolOpenError);
    assert.equal(connector.live.size, 0);
  });
});
