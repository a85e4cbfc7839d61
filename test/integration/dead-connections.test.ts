import '../support/guard.js';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { PoolConnection } from '@mariapool/core';
import { adminSql, closeAdmin, liveThreadIds, sessionsGone, sleep, testPool, waitFor } from '../support/db.js';

after(closeAdmin);

async function threadIdsOf(conns: PoolConnection[]): Promise<Array<number | null>> {
  const ids = conns.map((c) => c.threadId);
  for (const c of conns) await c.release();
  return ids;
}

async function comPing(): Promise<number> {
  const rows = await adminSql<Array<{ Value: string }>>("SHOW GLOBAL STATUS LIKE 'Com_ping'");
  return Number(rows[0]?.Value);
}

describe('connections that die', () => {
  it('KILL of every idle connection: the next acquire gets a live one, no error, no crash', async () => {
    const pool = await testPool({ minSize: 3, maxSize: 3 });
    const ids = await threadIdsOf(await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]));
    for (const id of ids) await adminSql(`KILL CONNECTION ${id}`);
    await waitFor('the pool to hear of the three kills', () => pool.stats().lost === 3);
    const conn = await pool.acquire();
    assert.ok(!ids.includes(conn.threadId));
    await conn.query('SELECT 1');
    await conn.release();
    await waitFor('the pool back at minSize', () => pool.status().size === 3);
    assert.equal(pool.stats().lost, 3);
    await pool.close();
  });

  it('KILL of a borrowed connection mid-query: that query fails, release evicts, next acquire is fine', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 1 });
    const conn = await pool.acquire();
    const running = conn.query('SELECT SLEEP(5)').catch((e: unknown) => e);
    await waitFor('the SLEEP to run on the server', async () => (await adminSql<unknown[]>("SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ? AND INFO LIKE 'SELECT SLEEP%'", [conn.threadId])).length === 1);
    await adminSql(`KILL CONNECTION ${conn.threadId}`);
    const error = (await running) as { fatal?: boolean; sqlState?: string };
    assert.ok(error instanceof Error, 'the query rejected');
    await conn.release();
    const next = await pool.acquire();
    assert.notEqual(next.threadId, conn.threadId);
    await next.query('SELECT 1');
    await next.release();
    await pool.close();
  });

  it('server idle drop (wait_timeout): no borrower ever gets a dead connection', async () => {
    const pool = await testPool({ minSize: 2, maxSize: 2, initSql: 'SET SESSION wait_timeout = 1', enableHealthCheck: false });
    const first = await threadIdsOf([await pool.acquire()]);
    for (let i = 0; i < 2; i++) {
      // Both sessions idle past wait_timeout: the server drops them and the pool hears of it.
      await waitFor(`drop ${i + 1} of both sessions`, () => pool.stats().lost >= 2 * (i + 1), 5000);
      const conn = await pool.acquire();
      assert.ok(!first.includes(conn.threadId));
      await conn.query('SELECT 1');
      await conn.release();
    }
    assert.ok(pool.stats().lost >= 2, 'drops counted as lost');
    await pool.close();
  });

  it('pings only after pingThresholdMs idle (COM_PING counted by the server)', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 1, pingThresholdMs: 300, enableHealthCheck: false });
    await (await pool.acquire()).release();
    const before = await comPing();
    await (await pool.acquire()).release();
    assert.equal(await comPing(), before, 'no ping when recently used');
    await sleep(400);
    await (await pool.acquire()).release();
    assert.equal(await comPing(), before + 1, 'exactly one ping after the threshold');
    await pool.close();
  });

  it('replaces a connection after maxLifetimeMs, never while borrowed', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 1, maxLifetimeMs: 300 });
    const conn = await pool.acquire();
    const original = conn.threadId;
    await sleep(450);
    await conn.query('SELECT 1'); // still ours past its lifetime
    await conn.release();
    const next = await pool.acquire();
    assert.notEqual(next.threadId, original);
    await next.release();
    assert.deepEqual(await sessionsGone([original]), [], 'the old session was closed');
    await pool.close();
  });

  it('health check replaces exactly the killed idle connection', async () => {
    const pool = await testPool({ minSize: 4, maxSize: 4, validationIntervalMs: 200, pingThresholdMs: 0 });
    const ids = await threadIdsOf(await Promise.all([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]));
    // Stop the driver from noticing the kill itself: only the check can find it.
    await adminSql(`KILL CONNECTION ${ids[0]}`);
    await waitFor('the killed connection replaced', () => pool.stats().lost === 1 && pool.status().available === 4);
    assert.equal(pool.status().size, 4);
    const after = await threadIdsOf(await Promise.all([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]));
    assert.equal(after.filter((id) => ids.includes(id)).length, 3, 'the three healthy ones kept');
    assert.ok(!after.includes(ids[0] as number));
    await pool.close();
  });

  it('maxIdleTimeMs shrinks to minSize and not below', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 3, maxIdleTimeMs: 200 });
    await threadIdsOf(await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]));
    assert.equal(pool.status().size, 3);
    await waitFor('the pool to shrink to minSize', () => pool.status().size === 1);
    await sleep(300); // and stay there: a few more housekeeping runs
    assert.equal(pool.status().size, 1);
    await pool.close();
  });
});
