import '../support/guard.js';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { AcquireTimeoutError, createPool, PoolOpenError, type PoolLogger } from '@mariapool/core';
import { startMariaDb, type MariaDbServer } from '@mariapool/testing';
import { sleep } from '../support/db.js';

const DELTA = 300;
const PASSWORD = 'Debug-Secret-9920';
let db: MariaDbServer;

before(async () => {
  db = await startMariaDb();
  await db.sql(`CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT ALL ON test.* TO 'app'@'127.0.0.1';`);
});
after(() => db.stop());

const url = (): string => `mariadb://app:${PASSWORD}@127.0.0.1:${db.port}/test`;

describe('queueing under exhaustion', () => {
  it('F9: max 2, 2 holders of 300 ms: waiters with a 100 ms deadline reject in [100, 100+δ] with the status in the message', async (t) => {
    const pool = await createPool(url(), { minSize: 2, maxSize: 2, acquireTimeoutMs: 100 });
    const holders = [0, 1].map(() => pool.withConnection((c) => c.query('DO SLEEP(0.3)'), { timeoutMs: 1000 }));
    await sleep(20);
    const started = performance.now();
    const pending = [pool.acquire().catch((e: unknown) => e), pool.acquire().catch((e: unknown) => e)];
    // F23: status is exact at this sampled point.
    const sampled = pool.status();
    assert.deepEqual([sampled.size, sampled.available, sampled.borrowed, sampled.waiting, sampled.opening], [2, 0, 2, 2, 0]);
    const waiters = await Promise.all(pending);
    const elapsed = performance.now() - started;
    assert.equal(pool.status().waiting, 0, 'the queue is empty again');
    for (const w of waiters) {
      assert.ok(w instanceof AcquireTimeoutError);
      assert.equal(w.code, 'ERR_POOL_ACQUIRE_TIMEOUT');
      assert.match(w.message, /size 2\/2 \(min 2\), available 0, borrowed 2, waiting \d/);
      assert.ok(!w.message.includes(PASSWORD));
    }
    assert.ok(elapsed >= 95 && elapsed <= 100 + DELTA, `waiters rejected after ${Math.round(elapsed)} ms`);
    await Promise.all(holders);
    t.diagnostic(`F9: 2 waiters rejected after ${Math.round(elapsed)} ms (deadline 100)`);
    await pool.close();
  });

  it('F13: FIFO and even use: 2 connections, 6 jobs of 200 ms finish at ≈ 0.2, 0.2, 0.4, 0.4, 0.6, 0.6 s', async (t) => {
    const pool = await createPool(url(), { minSize: 2, maxSize: 2 });
    const started = performance.now();
    const used = new Set<number | null>();
    const finished = await Promise.all(
      Array.from({ length: 6 }, () =>
        pool.withConnection(async (c) => {
          used.add(c.threadId);
          await c.query('DO SLEEP(0.2)');
          return performance.now() - started;
        }),
      ),
    );
    const expected = [200, 200, 400, 400, 600, 600];
    finished.forEach((ms, i) => assert.ok(Math.abs(ms - (expected[i] as number)) <= DELTA / 2 + 50, `job ${i} finished at ${Math.round(ms)} ms, expected ≈ ${expected[i]}`));
    assert.equal(used.size, 2, 'both connections used');
    t.diagnostic(`F13: jobs finished at ${finished.map((x) => Math.round(x)).join(', ')} ms`);
    await pool.close();
  });
});

describe('lifetime and resize against the server', () => {
  it('F17: lifetimes expire staggered (jitter), never while borrowed, each replaced by a new session', async (t) => {
    const pool = await createPool(url(), { minSize: 4, maxSize: 4, maxLifetimeMs: 600, enableHealthCheck: false });
    const first = await Promise.all(Array.from({ length: 4 }, () => pool.acquire()));
    const originalIds = first.map((c) => c.threadId);
    const held = first[0];
    for (const c of first.slice(1)) await c.release();
    const seen = new Map<number | null, number>();
    const started = performance.now();
    while (performance.now() - started < 1500) {
      const conns = await Promise.all(Array.from({ length: 3 }, () => pool.acquire()));
      for (const c of conns) if (!seen.has(c.threadId)) seen.set(c.threadId, Math.round(performance.now() - started));
      for (const c of conns) await c.release();
      await sleep(5);
    }
    assert.equal(held?.released, false);
    assert.deepEqual((await held!.query<Array<{ one: number }>>('SELECT 1 AS one'))[0]?.one, 1, 'still usable past its lifetime while borrowed');
    const replacements = [...seen.entries()].filter(([id]) => !originalIds.includes(id));
    assert.ok(replacements.length >= 3, `replacements opened: ${JSON.stringify(replacements)}`);
    const firstTimes = replacements.map(([, at]) => at).sort((a, b) => a - b);
    assert.ok(firstTimes.at(-1)! - firstTimes[0]! > 0, 'expiries were staggered, not simultaneous');
    await held!.release();
    t.diagnostic(`F17: replacement sessions first seen at ${firstTimes.join(', ')} ms (lifetime 600 ms, up to 5 % jitter)`);
    await pool.close();
  });

  it('F21: resize up and down under load: bounds apply, no statement fails, borrowers are not interrupted', async () => {
    const pool = await createPool(url(), { minSize: 2, maxSize: 4 });
    let running = true;
    let failed = 0;
    let done = 0;
    let maxSize = 0;
    const workers = Array.from({ length: 8 }, async () => {
      while (running) {
        await pool.withConnection((c) => c.query('DO SLEEP(0.01)')).then(() => done++, () => failed++);
        maxSize = Math.max(maxSize, pool.status().size);
      }
    });
    await sleep(200);
    pool.resize({ minSize: 1, maxSize: 2 });
    await sleep(300);
    const small = pool.status();
    pool.resize({ minSize: 3, maxSize: 6 });
    await sleep(300);
    const large = pool.status();
    running = false;
    await Promise.all(workers);
    assert.equal(failed, 0);
    assert.ok(done > 50);
    assert.ok(small.size <= 2, `shrunk to ${small.size}`);
    assert.ok(large.size > 2 && large.size <= 6, `grew to ${large.size}`);
    assert.throws(() => pool.resize({ minSize: 5, maxSize: 3 }), /must not exceed/);
    await pool.close();
  });
});

describe('server connection limit', () => {
  it('F10: max_connections reached: acquire rejects at the deadline with cause 1040; recovers once a slot frees', async (t) => {
    await db.sql('SET GLOBAL max_connections = 10');
    const others = await createPool(`mariadb://root@127.0.0.1:${db.port}/test`, { minSize: 9, maxSize: 9 });
    try {
      // 9 sessions of others; the 10th slot is taken by a pool of ours, the 11th connect is refused.
      const pool = await createPool(url(), { minSize: 1, maxSize: 2, acquireTimeoutMs: 400 });
      const held = await pool.acquire();
      const started = performance.now();
      const error = await pool.acquire().catch((e: unknown) => e);
      const elapsed = performance.now() - started;
      assert.ok(error instanceof AcquireTimeoutError);
      assert.equal(((error as Error).cause as { errno?: number }).errno, 1040);
      assert.ok(elapsed <= 400 + DELTA);
      await others.close();
      const freedAt = performance.now();
      const next = await pool.acquire({ timeoutMs: 3000 });
      const recoveredMs = performance.now() - freedAt;
      assert.ok(recoveredMs < 2500, `served ${Math.round(recoveredMs)} ms after slots freed (one backoff step)`);
      t.diagnostic(`F10 max_connections: rejected after ${Math.round(elapsed)} ms (deadline 400) with cause 1040; served ${Math.round(recoveredMs)} ms after slots freed`);
      await next.release();
      await held.release();
      await pool.close();
    } finally {
      await others.close();
      await db.sql('SET GLOBAL max_connections = 151');
    }
  });
});

describe('S1: secrets in every failure path, with the driver\'s debug logging on', () => {
  it('wrong password, acquire timeout and the logs never show the password', async () => {
    const captured: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    const logger: PoolLogger = { warn: (o, m) => captured.push(inspect(o, { depth: 8 }) + m), error: (o, m) => captured.push(inspect(o, { depth: 8 }) + m) };
    (process.stdout as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) => (captured.push(String(chunk)), (write as (...a: unknown[]) => boolean)(chunk, ...rest));
    (process.stderr as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) => (captured.push(String(chunk)), (writeErr as (...a: unknown[]) => boolean)(chunk, ...rest));
    try {
      const bad = await createPool({ host: '127.0.0.1', port: db.port, user: 'app', password: `${PASSWORD}x`, debug: true, logger, acquireTimeoutMs: 1000 }).catch((e: unknown) => e);
      assert.ok(bad instanceof PoolOpenError);
      const pool = await createPool(url(), { minSize: 1, maxSize: 1, acquireTimeoutMs: 100, debug: true, logger });
      const held = await pool.acquire();
      const timeout = await pool.acquire().catch((e: unknown) => e);
      assert.ok(timeout instanceof AcquireTimeoutError);
      for (const e of [bad, timeout] as Error[]) {
        captured.push(e.message, String(e.stack), inspect(e, { depth: 8 }), JSON.stringify(e), String((e.cause as Error | undefined)?.stack));
      }
      captured.push(inspect(pool, { depth: 8 }), JSON.stringify(pool.status()), JSON.stringify(pool.stats()));
      await held.release();
      await pool.close();
    } finally {
      (process.stdout as { write: unknown }).write = write;
      (process.stderr as { write: unknown }).write = writeErr;
    }
    assert.ok(captured.join('\n').length > 1000, 'debug logging produced output to check');
    assert.ok(!captured.join('\n').includes(PASSWORD), 'the password appeared in an error, a log line or a status');
  });
});
