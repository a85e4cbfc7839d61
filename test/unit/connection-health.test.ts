import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AcquireTimeoutError } from '@mariapool/core';
import { setup } from '../support/fake-pool.js';
import { flush } from '../support/manual-clock.js';
import { type FakeConnection } from '../support/fake-connector.js';

describe('dead and aging connections', () => {
  it('replaces an idle connection killed by the server, without an error to anyone', async () => {
    const { pool, connector } = setup({ minSize: 2 });
    await pool.open();
    connector.opened[0]?.kill();
    await flush();
    assert.equal(pool.status().size, 2);
    assert.equal(pool.stats().lost, 1);
    assert.equal(connector.live.size, 2);
    await pool.close();
  });

  it('pings a connection idle past pingThresholdMs before lending it, and replaces it if dead', async () => {
    const { pool, connector, clock } = setup({ maxSize: 1, minSize: 1, pingThresholdMs: 100 });
    await pool.open();
    await clock.advance(50);
    await (await pool.acquire()).release();
    assert.equal(connector.opened[0]?.pings, 0, 'no ping under the threshold');
    await clock.advance(150);
    connector.pingBehaviour = 'fail';
    const conn = await pool.acquire();
    assert.equal(connector.opened[0]?.pings, 1);
    assert.equal(conn.threadId, 2, 'the dead connection was replaced, the caller saw no error');
    await conn.release();
    await pool.close();
  });

  it('keeps one deadline when pings hang (black hole): fails at acquireTimeoutMs whatever the idle count', async () => {
    const { pool, connector, clock } = setup({ maxSize: 4, minSize: 4, pingThresholdMs: 10, acquireTimeoutMs: 300 });
    await pool.open();
    await clock.advance(100);
    connector.pingBehaviour = 'hang';
    connector.holdConnects = true;
    const started = clock.now();
    const error = await Promise.all([pool.acquire().catch((e: unknown) => e), clock.advance(300)]).then(([e]) => e);
    assert.ok(error instanceof AcquireTimeoutError);
    assert.equal(clock.now() - started, 300);
    const closing = pool.close({ timeoutMs: 0 });
    connector.releaseConnects();
    await clock.advance(5000);
    await closing;
    assert.equal(connector.live.size, 0);
  });

  it('retires connections past maxLifetimeMs, never while borrowed', async () => {
    const { pool, clock } = setup({ maxSize: 1, minSize: 1, maxLifetimeMs: 1000 });
    await pool.open();
    const conn = await pool.acquire();
    await clock.advance(2000);
    assert.equal(pool.status().borrowed, 1, 'still lent past its lifetime');
    assert.equal((await conn.query('SELECT 1'))[0].threadId, conn.threadId);
    await conn.release();
    await flush();
    const next = await pool.acquire();
    assert.notEqual(next.threadId, conn.threadId);
    await next.release();
    await pool.close();
  });

  it('closes idle connections above minSize after maxIdleTimeMs, down to minSize', async () => {
    const { pool, clock } = setup({ minSize: 1, maxSize: 4, maxIdleTimeMs: 1000 });
    await pool.open();
    const conns = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const c of conns) await c.release();
    assert.equal(pool.status().size, 4);
    await clock.advance(1500);
    assert.equal(pool.status().size, 1);
    await clock.advance(5000);
    assert.equal(pool.status().size, 1, 'never below minSize');
    await pool.close();
  });

  it('health check replaces exactly the dead idle connection and keeps the idle age', async () => {
    const { pool, connector, clock } = setup({ minSize: 3, maxSize: 3, enableHealthCheck: true, validationIntervalMs: 1000, maxIdleTimeMs: 0 });
    await pool.open();
    const [a, b, c] = connector.opened as [FakeConnection, FakeConnection, FakeConnection];
    b.valid = false; // died silently: only a ping can tell
    await clock.advance(1300);
    assert.ok(a.pings >= 1 && c.pings >= 1);
    assert.equal(b.destroyed, true);
    assert.equal(connector.live.size, 3);
    assert.ok(connector.live.has(a) && connector.live.has(c));
    await pool.close();
    const pings = a.pings + c.pings;
    assert.equal(clock.pending, 0, 'close() stops the housekeeping timer');
    await clock.advance(5000);
    assert.equal(a.pings + c.pings, pings, 'no health check after close()');
  });

  it('drain() replaces idle connections now and borrowed ones on return', async () => {
    const { pool, connector } = setup({ minSize: 2 });
    await pool.open();
    const held = await pool.acquire();
    await pool.drain();
    await flush();
    assert.equal(connector.opened.length, 3, 'one replacement for the idle one');
    await held.release();
    await flush();
    assert.equal(connector.live.size, 2);
    assert.ok(![...connector.live].some((c) => c.threadId <= 2), 'only new connections remain');
    await pool.close();
  });
});
