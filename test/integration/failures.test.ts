import '../support/guard.js';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  AcquireTimeoutError,
  createPool,
  InvalidPoolOptionError,
  PoolClosedError,
  PoolOpenError,
  type PoolLogger,
} from '@mariapool/core';
import { adminSql, closeAdmin, refusedPort, sessionsGone, MARIADB_URL, sleep, testPool } from '../support/db.js';

const PASSWORD = 'Pw-9f3b1c-UNIQUE';
const USER = 'mariapool_test';
const server = new URL(MARIADB_URL.replace(/^mariadb:/, 'http:'));
const host = server.hostname;
const port = Number(server.port || 3306);


function everythingPrintable(error: unknown): string {
  const e = error as Error & { cause?: Error };
  return [e.message, e.stack, inspect(e, { depth: 8 }), JSON.stringify(e), e.cause?.message, e.cause?.stack, JSON.stringify(e.cause ?? null)].join('\n');
}

before(async () => {
  await adminSql(`CREATE USER IF NOT EXISTS '${USER}'@'%' IDENTIFIED BY '${PASSWORD}'`);
  await adminSql(`GRANT ALL ON test.* TO '${USER}'@'%'`);
});
after(async () => {
  await adminSql(`DROP USER IF EXISTS '${USER}'@'%'`);
  await closeAdmin();
});

describe('clear errors within the deadline', () => {
  it('wrong password: PoolOpenError at once with the server error as cause, password nowhere', async () => {
    const logs: string[] = [];
    const logger: PoolLogger = { warn: (o, m) => logs.push(inspect(o, { depth: 8 }) + m), error: (o, m) => logs.push(inspect(o, { depth: 8 }) + m) };
    const started = performance.now();
    const error = await createPool({ host, port, user: USER, password: `${PASSWORD}-wrong`, database: 'test', acquireTimeoutMs: 5000, logger }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    assert.ok(error instanceof PoolOpenError, String(error));
    assert.equal((error.cause as { errno?: number }).errno, 1045);
    assert.match(error.message, /Access denied/);
    assert.ok(elapsed < 2000, `fails fast on bad credentials (${Math.round(elapsed)} ms)`);
    assert.ok(!everythingPrintable(error).includes(PASSWORD), 'password in the error');
    assert.ok(!logs.join('\n').includes(PASSWORD), 'password in a log line');
  });

  it('the right password works, and status/inspect of that pool never show it', async () => {
    const pool = await createPool(`mariadb://${USER}:${encodeURIComponent(PASSWORD)}@${host}:${port}/test`, { minSize: 1, maxSize: 1 });
    const conn = await pool.acquire();
    for (const text of [inspect(pool, { depth: 8 }), inspect(conn, { depth: 8 }), String(pool), JSON.stringify(pool.status())]) {
      assert.ok(!text.includes(PASSWORD), text);
    }
    await conn.release();
    await pool.close();
  });

  it('refused port: PoolOpenError within the open deadline, cause ECONNREFUSED', async () => {
    const dead = await refusedPort();
    const started = performance.now();
    const error = await createPool({ host: '127.0.0.1', port: dead, user: 'root', minSize: 1, acquireTimeoutMs: 600 }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    assert.ok(error instanceof PoolOpenError);
    assert.match(String((error.cause as { code?: string }).code ?? (error.cause as Error).message), /ECONNREFUSED/);
    assert.ok(elapsed >= 550 && elapsed < 600 + 500, `rejected at the deadline (${Math.round(elapsed)} ms)`);
  });

  it('a pending open() keeps the process alive until it settles (its deadline timer is not unref\'d)', async () => {
    const dead = await refusedPort();
    const script = `import { createPool } from '@mariapool/core';
      await createPool({ host: '127.0.0.1', port: ${dead}, user: 'x', acquireTimeoutMs: 400 }).catch((e) => console.log('settled:' + e.code));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), timeout: 10_000 });
    assert.match(stdout, /settled:ERR_POOL_OPEN/, 'the process exited before the awaited open() settled');
  });

  it('exhausted pool: AcquireTimeoutError at the deadline with status in the message', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 1, acquireTimeoutMs: 200 });
    const holder = await pool.acquire();
    const started = performance.now();
    const error = await pool.acquire().catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    assert.ok(error instanceof AcquireTimeoutError);
    assert.ok(elapsed >= 195 && elapsed < 200 + 300, `deadline kept (${Math.round(elapsed)} ms)`);
    assert.match(error.message, /no connection available after \d+ ms \(size 1\/1 \(min 1\), available 0, borrowed 1, waiting 0/);
    assert.equal(pool.status().waiting, 0);
    await holder.release();
    await pool.close();
  });

  it('a per-call timeout no timer can hold is refused; the longest valid one really waits', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 1 });
    const holder = await pool.acquire();
    // Node would run a timer of Infinity or 30 days after 1 ms: such an acquire used to time out at once.
    for (const timeoutMs of [Infinity, 30 * 24 * 3600 * 1000]) {
      const error = await pool.acquire({ timeoutMs }).catch((e: unknown) => e);
      assert.ok(error instanceof InvalidPoolOptionError, `timeoutMs ${timeoutMs}: ${String(error)}`);
      assert.equal(error.option, 'timeoutMs');
    }
    assert.equal(pool.status().waiting, 0);
    const longest = pool.acquire({ timeoutMs: 2_073_600_000 }); // 24 days, the documented maximum
    const settledEarly = await Promise.race([longest.then(() => true, () => true), sleep(150).then(() => false)]);
    assert.equal(settledEarly, false, 'still waiting after 150 ms');
    await holder.release();
    const conn = await longest;
    assert.equal(conn.threadId, holder.threadId);
    await conn.release();
    await pool.close();
  });

  it('close() with waiters and borrowers: waiters rejected at once, borrower finishes, no session left', async () => {
    const pool = await testPool({ minSize: 2, maxSize: 2 });
    const [a, b] = [await pool.acquire(), await pool.acquire()];
    const ids = [a.threadId, b.threadId];
    const waiters = [pool.acquire(), pool.acquire()].map((p) => p.catch((e: unknown) => e));
    const closing = pool.close({ timeoutMs: 2000 });
    for (const w of await Promise.all(waiters)) assert.ok(w instanceof PoolClosedError);
    await a.query('SELECT SLEEP(0.1)');
    await a.release();
    await b.release();
    await closing;
    await assert.rejects(pool.acquire(), PoolClosedError);
    assert.deepEqual(await sessionsGone(ids), []);
  });

  it('close() destroys a connection still borrowed after the grace period', async () => {
    const pool = await testPool({ minSize: 1, maxSize: 1 });
    const held = await pool.acquire();
    const started = performance.now();
    await pool.close({ timeoutMs: 200 });
    assert.ok(performance.now() - started < 1500);
    assert.deepEqual(await sessionsGone([held.threadId]), []);
    await assert.rejects(held.query('SELECT 1'), /already released/);
  });
});
