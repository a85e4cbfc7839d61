import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PoolOpenError } from '@mariapool/core';
import { setup } from '../support/fake-pool.js';

describe('open and warm-up', () => {
  it('opens minSize connections before open() resolves', async () => {
    const { pool, connector } = setup({ minSize: 2, maxSize: 4 });
    await pool.open();
    assert.equal(connector.opened.length, 2);
    assert.deepEqual(
      { size: pool.status().size, available: pool.status().available, borrowed: pool.status().borrowed },
      { size: 2, available: 2, borrowed: 0 },
    );
    await pool.close();
  });

  it('opens one connection with minSize 0, proving the settings', async () => {
    const { pool, connector } = setup({ minSize: 0, maxSize: 4 });
    await pool.open();
    assert.equal(connector.opened.length, 1);
    await pool.close();
  });

  it('fails open() at once on access denied, closes everything, keeps the cause', async () => {
    const { pool, connector } = setup({ minSize: 2 });
    connector.failWith = Object.assign(new Error("Access denied for user 'app'"), { errno: 1045, code: 'ER_ACCESS_DENIED_ERROR' });
    const error = await pool.open().catch((e: unknown) => e);
    assert.ok(error instanceof PoolOpenError);
    assert.equal(error.code, 'ERR_POOL_OPEN');
    assert.equal((error.cause as Error).message, "Access denied for user 'app'");
    assert.equal(connector.connectAttempts <= 2, true, 'no retry storm on a fatal error');
    assert.equal(pool.closed, true);
  });

  it('retries transient connect errors with capped exponential backoff until the open deadline', async () => {
    const { pool, connector, clock } = setup({ minSize: 1, acquireTimeoutMs: 3000 });
    connector.failWith = Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
    const opening = pool.open().catch((e: unknown) => e);
    await clock.advance(2999);
    const attempts = connector.connectAttempts;
    // 50, 100, 200, 400, 800, 1600 ms (±20 %): about 6 attempts in 3 s, never a busy loop.
    assert.ok(attempts >= 4 && attempts <= 8, `backoff spaced the attempts (${attempts} in 3 s)`);
    await clock.advance(2);
    const error = await opening;
    assert.ok(error instanceof PoolOpenError);
    assert.match(error.message, /ETIMEDOUT/);
  });

  it('retries a refused connect within ~60 ms (server restarting: cheap to probe, quick to recover)', async () => {
    const { pool, connector, clock } = setup({ minSize: 1, acquireTimeoutMs: 5000 });
    connector.failWith = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const opening = pool.open().catch((e: unknown) => e);
    await clock.advance(999);
    const attempts = connector.connectAttempts;
    assert.ok(attempts >= 12 && attempts <= 25, `about one attempt per 60 ms (${attempts} in 1 s)`);
    connector.failWith = undefined;
    await clock.advance(80);
    assert.equal(pool.status().size, 1, 'connected within one step once the server accepts');
    assert.equal(await opening, pool);
    await pool.close();
  });

  it('starts on first acquire without open()', async () => {
    const { pool } = setup({ minSize: 1 });
    const conn = await pool.acquire();
    assert.equal(pool.status().borrowed, 1);
    await conn.release();
    await pool.close();
  });
});
