import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setup } from '../support/fake-pool.js';

describe('leak detection', () => {
  it('warns once with the acquiring stack, then when the connection comes back', async () => {
    const { pool, clock, logs } = setup({ leakDetectionThresholdMs: 1000 });
    await pool.open();
    const conn = await pool.acquire();
    await clock.advance(3000);
    const leak = logs.filter((l) => /possible leak/.test(l.msg));
    assert.equal(leak.length, 1);
    assert.match(String((leak[0]?.obj as { acquiredAt: string }).acquiredAt), /leak-detection\.test\.js/);
    await conn.release();
    assert.equal(logs.filter((l) => /leaked connection returned/.test(l.msg)).length, 1);
    assert.equal(pool.stats().leaks, 1);
    await pool.close();
  });
});
