import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionScope, Pool, ScopeFinishedError } from '@mariapool/core';
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
});
