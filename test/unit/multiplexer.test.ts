import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AcquireTimeoutError, InvalidPoolOptionError, Pool } from '@mariapool/core';
import { FakeConnector } from '../support/fake-connector.js';
import { flush, ManualClock } from '../support/manual-clock.js';

function setup(maxSize: number, depth: number) {
  const connector = new FakeConnector();
  const clock = new ManualClock();
  const pool = new Pool({ minSize: maxSize, maxSize, maxPipelineDepth: depth, acquireTimeoutMs: 1000, enableHealthCheck: false }, { connector, clock });
  let open!: () => void;
  connector.queryGate = new Promise<void>((resolve) => (open = resolve));
  return { pool, connector, clock, open: () => { connector.queryGate = undefined; open(); } };
}

describe('pool.query() multiplexing (maxPipelineDepth)', () => {
  it('rejects a depth outside 1-1024', () => {
    assert.throws(() => new Pool({ maxPipelineDepth: 0 }), InvalidPoolOptionError);
    assert.throws(() => new Pool({ maxPipelineDepth: 1.5 }), /1-1024/);
  });

  it('puts up to depth statements in flight per connection, each caller gets its own result', async () => {
    const { pool, connector, open } = setup(2, 3);
    await pool.open();
    const calls = Array.from({ length: 6 }, (_, i) => pool.query<Array<{ value: unknown }>>('ECHO', [i]));
    await flush();
    assert.equal(pool.status().borrowed, 2, 'six statements share two connections');
    assert.deepEqual(connector.opened.map((c) => c.inFlight), [3, 3]);
    open();
    const results = await Promise.all(calls);
    assert.deepEqual(results.map((r) => r[0]?.value), [[0], [1], [2], [3], [4], [5]]);
    assert.ok(connector.opened.every((c) => c.maxInFlight <= 3));
    await flush();
    assert.equal(pool.status().borrowed, 0, 'shared connections go back once drained');
    await pool.close();
  });

  it('a failing statement rejects only its own caller', async () => {
    const { pool, open } = setup(1, 4);
    await pool.open();
    const calls = ['ECHO', 'FAIL', 'ECHO', 'ECHO'].map((sql) => pool.query(sql).then(() => 'ok', (e: { code?: string }) => e.code));
    open();
    assert.deepEqual(await Promise.all(calls), ['ok', 'ER_FAKE', 'ok', 'ok']);
    await pool.close();
  });

  it('never starves an exclusive borrower: shared connections stop taking statements while one waits', async () => {
    const { pool, connector, open } = setup(1, 4);
    await pool.open();
    open();
    let running = true;
    const pump = (async () => {
      // Real statements do I/O; fake ones resolve at once, so yield or nothing else ever runs.
      while (running) {
        await Promise.all([pool.query('ECHO'), pool.query('ECHO')]);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await flush();
    const exclusive = await pool.acquire();
    assert.equal(exclusive.threadId, connector.opened[0]?.threadId);
    await exclusive.release();
    running = false;
    await pump;
    await pool.close();
  });

  it('statements waiting for a connection fail with the acquire timeout', async () => {
    const { pool, clock, open } = setup(1, 2);
    await pool.open();
    open();
    const held = await pool.acquire();
    const pending = pool.query('ECHO').catch((e: unknown) => e);
    await clock.advance(1000);
    assert.ok((await pending) instanceof AcquireTimeoutError);
    await held.release();
    await pool.close();
  });
});
