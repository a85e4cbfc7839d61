import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AcquireAbortedError, AcquireTimeoutError, InvalidPoolOptionError, PoolQueueFullError, type PoolConnection } from '@mariapool/core';
import { setup, track } from '../support/fake-pool.js';
import { flush } from '../support/manual-clock.js';

describe('acquire and release', () => {
  it('lends an idle connection at once and takes it back', async () => {
    const { pool } = setup();
    await pool.open();
    const conn = await pool.acquire();
    assert.equal(pool.status().borrowed, 1);
    assert.equal(pool.status().available, 1);
    await conn.release();
    assert.equal(pool.status().borrowed, 0);
    assert.equal(pool.status().available, 2);
    await pool.close();
  });

  it('serves waiters strictly first come, first served', async () => {
    const { pool } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const holder = await pool.acquire();
    const order: string[] = [];
    const waits = ['a', 'b', 'c'].map((label) =>
      track(pool.acquire(), order, label).then(async (c) => {
        await flush();
        await c?.release();
      }),
    );
    assert.equal(pool.status().waiting, 3);
    await holder.release();
    await Promise.all(waits);
    assert.deepEqual(order, ['a', 'b', 'c']);
    await pool.close();
  });

  it('never gives an idle connection to a newcomer while others wait', async () => {
    const { pool } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const holder = await pool.acquire();
    const order: string[] = [];
    const first = track(pool.acquire(), order, 'first');
    await holder.release();
    // The connection was handed to 'first' during release: a newcomer must queue behind it.
    const second = track(pool.acquire(), order, 'second');
    const c1 = await first;
    await c1?.release();
    const c2 = await second;
    await c2?.release();
    assert.deepEqual(order, ['first', 'second']);
    await pool.close();
  });

  it('times out at the deadline with elapsed time, status and last connect error', async () => {
    const { pool, clock, connector } = setup({ maxSize: 1, minSize: 1, acquireTimeoutMs: 500 });
    await pool.open();
    const holder = await pool.acquire();
    connector.failWith = new Error('unrelated: no connects expected');
    const pending = pool.acquire().catch((e: unknown) => e);
    await clock.advance(499);
    assert.equal(pool.status().waiting, 1);
    await clock.advance(1);
    const error = await pending;
    assert.ok(error instanceof AcquireTimeoutError);
    assert.equal(error.code, 'ERR_POOL_ACQUIRE_TIMEOUT');
    assert.equal(error.elapsedMs, 500);
    assert.match(error.message, /after 500 ms \(size 1\/1 \(min 1\), available 0, borrowed 1, waiting 0/);
    assert.equal(pool.status().waiting, 0);
    assert.equal(pool.stats().timeouts, 1);
    await holder.release();
    await pool.close();
  });

  it('carries the last connect error as the timeout cause', async () => {
    const { pool, clock, connector } = setup({ minSize: 0, maxSize: 1, acquireTimeoutMs: 300 });
    connector.failWith = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const pending = pool.acquire().catch((e: unknown) => e);
    await clock.advance(300);
    const error = await pending;
    assert.ok(error instanceof AcquireTimeoutError);
    assert.equal((error.cause as Error).message, 'connect ECONNREFUSED 127.0.0.1:1');
    assert.match(error.message, /last connection error: ECONNREFUSED: connect ECONNREFUSED/);
    await pool.close();
  });

  it('a timed-out waiter never receives a connection; the next waiter gets it', async () => {
    const { pool, clock } = setup({ maxSize: 1, minSize: 1, acquireTimeoutMs: 100 });
    await pool.open();
    const holder = await pool.acquire();
    const early = pool.acquire().catch((e: unknown) => e);
    await clock.advance(60);
    const late = pool.acquire({ timeoutMs: 1000 });
    await clock.advance(50); // 'early' expires
    assert.ok((await early) instanceof AcquireTimeoutError);
    await holder.release();
    const conn = await late;
    assert.equal(conn.threadId, holder.threadId);
    assert.equal(pool.status().borrowed, 1);
    await conn.release();
    assert.deepEqual([pool.status().available, pool.status().borrowed, pool.status().waiting], [1, 0, 0]);
    await pool.close();
  });

  it('honours a per-call timeout shorter than the default', async () => {
    const { pool, clock } = setup({ maxSize: 1, minSize: 1, acquireTimeoutMs: 10_000 });
    await pool.open();
    const holder = await pool.acquire();
    const pending = pool.acquire({ timeoutMs: 50 }).catch((e: unknown) => e);
    await clock.advance(50);
    assert.ok((await pending) instanceof AcquireTimeoutError);
    await holder.release();
    await pool.close();
  });

  it('rejects bad per-call options with an error naming them, on the fast path too, and queues nothing', async () => {
    const { pool, clock } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    // Infinity, NaN or more than 24 days would become a Node timer of 1 ms: a wait that ends at once.
    for (const timeoutMs of [Infinity, NaN, -1, 2 ** 31, '100' as unknown as number]) {
      const error = await pool.acquire({ timeoutMs }).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof InvalidPoolOptionError, `timeoutMs ${String(timeoutMs)}`);
      assert.equal(error.option, 'timeoutMs');
      assert.match(error.message, /^invalid acquire\(\) option "timeoutMs": /);
    }
    const badSignal = await pool.acquire({ signal: {} as AbortSignal }).then(() => undefined, (e: unknown) => e);
    assert.ok(badSignal instanceof InvalidPoolOptionError && badSignal.option === 'signal');
    assert.deepEqual([pool.status().available, pool.status().borrowed, pool.status().waiting], [1, 0, 0]);
    const holder = await pool.acquire();
    await assert.rejects(pool.acquire({ timeoutMs: Infinity }), InvalidPoolOptionError);
    assert.equal(pool.status().waiting, 0);
    await assert.rejects(pool.open({ timeoutMs: NaN }), /invalid open\(\) option "timeoutMs"/);
    await assert.rejects(pool.close({ timeoutMs: -5 }), /invalid close\(\) option "timeoutMs": expected a time in ms >= 0, got -5/);
    // A refused close() closes nothing: the borrower keeps its connection, the pool still lends.
    assert.equal(pool.closed, false);
    const next = pool.acquire({ timeoutMs: 500 });
    await holder.release();
    await (await next).release();
    await clock.advance(0);
    await pool.close();
  });

  it('keeps strict arrival order while the queue wraps around and grows, and empties it', async () => {
    const { pool } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const holder = await pool.acquire();
    const order: number[] = [];
    const waits: Array<Promise<void>> = [];
    const queue = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        waits.push(
          pool.acquire().then(async (conn) => {
            order.push(i);
            // Once 30 were served, the head is mid-ring: 3,000 more wrap around it and grow it.
            if (i === 29) queue(40, 3040);
            await conn.release();
          }),
        );
      }
    };
    queue(0, 40);
    await holder.release();
    while (order.length < 3040) await Promise.all(waits.slice());
    assert.deepEqual(order, Array.from({ length: 3040 }, (_, i) => i));
    assert.deepEqual([pool.status().waiting, pool.status().available, pool.stats().queued], [0, 1, 3040]);
    await pool.close();
  });

  it('expires default and per-call deadlines each at its own time, whatever their order in the queue', async () => {
    const { pool, clock } = setup({ maxSize: 1, minSize: 1, acquireTimeoutMs: 100 });
    await pool.open();
    const holder = await pool.acquire();
    const outcome = new Map<string, number>();
    const watch = (label: string, p: Promise<PoolConnection>) =>
      p.then(
        (conn) => (outcome.set(label, -1), conn),
        (e: unknown) => {
          assert.ok(e instanceof AcquireTimeoutError, `${label}: ${String(e)}`);
          outcome.set(label, e.elapsedMs);
          return undefined;
        },
      );
    const long = watch('long', pool.acquire({ timeoutMs: 1000 }));
    const short = watch('short', pool.acquire({ timeoutMs: 30 }));
    const plain = watch('plain', pool.acquire());
    const signalled = watch('signalled', pool.acquire({ signal: new AbortController().signal }));
    await clock.advance(60);
    const later = watch('later', pool.acquire());
    assert.deepEqual(Object.fromEntries(outcome), { short: 30 });
    await clock.advance(40);
    assert.deepEqual(Object.fromEntries(outcome), { short: 30, plain: 100, signalled: 100 });
    assert.equal(pool.status().waiting, 2);
    await clock.advance(59);
    assert.equal(outcome.get('later'), undefined, 'a default deadline behind a per-call one is not moved earlier');
    await clock.advance(1);
    assert.equal(outcome.get('later'), 100);
    await holder.release();
    const conn = await long;
    assert.equal(outcome.get('long'), -1, 'the per-call 1,000 ms waiter at the head still gets the connection');
    await conn?.release();
    await Promise.all([short, plain, signalled, later]);
    assert.deepEqual([pool.status().waiting, pool.stats().timeouts], [0, 4]);
    await pool.close();
  });

  it('a waiter whose connection fails its ping goes back to the head of the queue, deadline kept', async () => {
    const { pool, connector, clock } = setup({ maxSize: 1, minSize: 1, pingThresholdMs: 10, acquireTimeoutMs: 300 });
    await pool.open();
    await clock.advance(100);
    connector.pingBehaviour = 'fail';
    connector.holdConnects = true;
    const order: string[] = [];
    // 'first' takes the idle connection, which fails its ping; 'second' queues meanwhile.
    const first = track(pool.acquire(), order, 'first');
    const second = track(pool.acquire(), order, 'second');
    await clock.advance(250);
    assert.deepEqual([order, pool.status().waiting, connector.opened[0]?.pings], [[], 2, 1]);
    connector.pingBehaviour = 'ok';
    connector.releaseConnects();
    await clock.advance(1);
    assert.deepEqual(order, ['first'], 'the waiter that lost its connection is served first');
    const third = track(pool.acquire(), order, 'third');
    await (await first)?.release();
    await (await second)?.release();
    await (await third)?.release();
    assert.deepEqual(order, ['first', 'second', 'third']);

    // Sent back to the queue, a waiter still fails at its own deadline, not later.
    await clock.advance(100);
    connector.pingBehaviour = 'fail';
    connector.holdConnects = true;
    const late = pool.acquire().catch((e: unknown) => e);
    await clock.advance(299);
    assert.equal(pool.status().waiting, 1);
    await clock.advance(1);
    const error = await late;
    assert.ok(error instanceof AcquireTimeoutError);
    assert.equal(error.elapsedMs, 300);
    assert.equal(pool.status().waiting, 0);
    const closing = pool.close({ timeoutMs: 0 });
    connector.releaseConnects();
    await clock.advance(5000);
    await closing;
  });

  it('cancels a wait through an AbortSignal without taking a connection', async () => {
    const { pool } = setup({ maxSize: 1, minSize: 1 });
    await pool.open();
    const holder = await pool.acquire();
    const controller = new AbortController();
    const pending = pool.acquire({ signal: controller.signal }).catch((e: unknown) => e);
    assert.equal(pool.status().waiting, 1);
    controller.abort(new Error('client went away'));
    const error = await pending;
    assert.ok(error instanceof AcquireAbortedError);
    assert.equal((error.cause as Error).message, 'client went away');
    assert.equal(pool.status().waiting, 0);
    await holder.release();
    // The withdrawn waiter's slot is gone: the connection goes idle and nobody is counted as waiting.
    assert.deepEqual([pool.status().available, pool.status().waiting], [1, 0]);
    await assert.rejects(pool.acquire({ signal: controller.signal }), AcquireAbortedError);
    assert.equal(pool.stats().aborted, 2);
    await pool.close();
  });

  it('rejects at once beyond maxWaiters', async () => {
    const { pool } = setup({ maxSize: 1, minSize: 1, maxWaiters: 1 });
    await pool.open();
    const holder = await pool.acquire();
    const queued = pool.acquire();
    await assert.rejects(pool.acquire(), (e: unknown) => e instanceof PoolQueueFullError && e.code === 'ERR_POOL_QUEUE_FULL');
    await holder.release();
    await (await queued).release();
    await pool.close();
  });

  it('grows on demand up to maxSize, a few connects at a time', async () => {
    const { pool, connector } = setup({ minSize: 1, maxSize: 10 });
    await pool.open();
    const first = await pool.acquire();
    connector.holdConnects = true;
    const spike = Array.from({ length: 50 }, () => pool.acquire());
    await flush();
    assert.equal(connector.heldConnects, 2, 'a spike of 50 waiters opens 2 connections at a time, not 50');
    connector.releaseConnects();
    const conns = await Promise.all(spike.slice(0, 9));
    assert.equal(pool.status().size, 10);
    assert.equal(connector.opened.length, 10, 'never above maxSize');
    await first.release();
    for (const c of conns) await c.release();
    await Promise.all(spike.slice(9).map((p) => p.then((c) => c.release())));
    assert.equal(pool.status().waiting, 0);
    await pool.close();
  });
});

describe('a long outage', () => {
  it('keeps no trace of the acquires that timed out while the server was down', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const memory = () => (gc(), process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers);
    const { pool, connector, clock } = setup({ minSize: 0, maxSize: 1, acquireTimeoutMs: 100 });
    connector.failWith = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const round = async () => {
      const failed = Array.from({ length: 20_000 }, () => pool.acquire().catch((e: unknown) => e));
      await clock.advance(100);
      const errors = await Promise.all(failed);
      assert.ok(errors.every((e) => e instanceof AcquireTimeoutError));
    };
    // After a full collection the heap still moves by a few MB now and then (a single reading
    // once showed +3.6 MB): compare the lowest readings, early and late. The first round is a
    // warm-up (compiled code, the queue's arrays at their working size: about 1.3 MB once).
    const readings: number[] = [];
    for (let i = 0; i < 9; i++) {
      await round();
      readings.push(memory());
    }
    const grown = Math.min(...readings.slice(7)) - Math.min(...readings.slice(1, 3));
    // Nothing is served while the server is down, so only the expiry itself can free the queue's
    // slots: kept, the 100,000 or more after the second round took 3 MB.
    assert.ok(grown < 1.5e6, `memory grew by ${(grown / 1e6).toFixed(2)} MB over 120,000 more timed-out acquires`);
    assert.deepEqual([pool.status().waiting, pool.stats().timeouts], [0, 180_000]);
    connector.failWith = undefined;
    const pending = pool.acquire();
    await clock.advance(100);
    await (await pending).release();
    await pool.close();
  });
});
