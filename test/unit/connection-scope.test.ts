import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionReleasedError, Pool, ScopeFinishedError } from '@mariapool/core';
import { ConnectionScope } from '@mariapool/core/http';
import { FakeConnector } from '../support/fake-connector.js';
import { ManualClock } from '../support/manual-clock.js';

function pool(maxSize = 1): Pool {
  return new Pool({ maxSize, enableHealthCheck: false }, { connector: new FakeConnector(), clock: new ManualClock() });
}

describe('ConnectionScope', () => {
  it('memoizes one connection per name and releases all on finish, once', async () => {
    const a = pool(2);
    const b = pool(1);
    const scope = new ConnectionScope();
    const first = await scope.get('a', a);
    assert.equal(await scope.get('a', a), first);
    await scope.get('b', b);
    assert.deepEqual([a.status().borrowed, b.status().borrowed], [1, 1]);
    await scope.finish();
    await scope.finish();
    assert.deepEqual([a.status().borrowed, b.status().borrowed], [0, 0]);
    await assert.rejects(scope.get('a', a), ScopeFinishedError);
    await a.close();
    await b.close();
  });

  it('finish() cancels a pending acquire; nothing is taken', async () => {
    const p = pool(1);
    await p.open();
    const holder = await p.acquire();
    const scope = new ConnectionScope();
    const waiting = scope.get('p', p).catch((e: unknown) => e);
    assert.equal(p.status().waiting, 1);
    await scope.finish();
    assert.equal((await waiting as { code?: string }).code, 'ERR_POOL_ACQUIRE_ABORTED');
    assert.equal(p.status().waiting, 0);
    await holder.release();
    assert.deepEqual([p.status().borrowed, p.status().available], [0, 1]);
    await p.close();
  });

  it('maps queued-acquire failures with mapError; a connection lent at once is never mapped', async () => {
    const p = pool(1);
    await p.open();
    const mapped: unknown[] = [];
    const scope = new ConnectionScope({ mapError: (e) => (mapped.push(e), Object.assign(new Error('mapped'), { cause: e })) });
    const lent = await scope.get('p', p); // an idle connection: lent at once
    assert.equal(p.status().borrowed, 1);
    const other = new ConnectionScope({ mapError: (e) => Object.assign(new Error('mapped'), { cause: e }) });
    const queued = other.get('p', p).catch((e: unknown) => e);
    assert.equal(p.status().waiting, 1);
    await p.close({ timeoutMs: 0 }); // the waiter is rejected with PoolClosedError
    const error = (await queued) as Error & { cause?: { code?: string } };
    assert.equal(error.message, 'mapped');
    assert.equal(error.cause?.code, 'ERR_POOL_CLOSED');
    assert.equal(lent.released, true, 'close() revoked the lease');
    await scope.finish(); // releasing a revoked lease is harmless
    assert.deepEqual(mapped, [], 'nothing failed in the first scope');
  });

  it('a connection granted just before finish() is released by it: the caller gets a dead lease, nothing leaks', async () => {
    const p = pool(1);
    await p.open();
    const holder = await p.acquire();
    const scope = new ConnectionScope();
    const waiting = scope.get('p', p);
    // Same tick: release() hands the connection to the scope's waiter, then finish() runs before
    // the caller has seen it.
    const released = holder.release();
    const finished = scope.finish();
    await Promise.all([released, finished]);
    const lease = await waiting;
    assert.equal(lease.released, true);
    await assert.rejects(lease.query('SELECT 1'), ConnectionReleasedError);
    assert.deepEqual([p.status().borrowed, p.status().available, p.stats().aborted], [0, 1, 0]);
    await p.close();
  });
});

