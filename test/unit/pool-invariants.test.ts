import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pool, type PoolConnection } from '@mariapool/core';
import { FakeConnector } from '../support/fake-connector.js';
import { flush, ManualClock } from '../support/manual-clock.js';
import { prng } from '../support/prng.js';


const SEEDS = Number(process.env['MARIAPOOL_FUZZ_SEEDS'] ?? 25);
const STEPS = 250;

async function runSeed(seed: number): Promise<void> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const connector = new FakeConnector();
  const clock = new ManualClock();
  const pool = new Pool(
    {
      minSize: 1,
      maxSize: 4,
      acquireTimeoutMs: 400,
      pingThresholdMs: 50,
      maxLifetimeMs: 2000,
      maxIdleTimeMs: 700,
      validationIntervalMs: 300,
      resetConnection: random() < 0.5,
    },
    { connector, clock, random },
  );
  const held: PoolConnection[] = [];
  /** threadId -> leases currently held by "callers" */
  const holders = new Map<number | null, number>();
  const pending = new Set<Promise<unknown>>();

  const check = (where: string): void => {
    const s = pool.status();
    const ctx = `seed ${seed}, ${where}, ${JSON.stringify(s)}`;
    for (const [thread, n] of holders) assert.ok(n <= 1, `connection ${thread} lent twice (${ctx})`);
    // Above maxSize (after a resize down) only while lent or being checked: never an idle surplus.
    assert.ok(s.size <= s.maxSize || s.available === 0, `idle connections above maxSize (${ctx})`);
    assert.equal(connector.live.size, s.size - s.opening, `pool and server disagree on open connections (${ctx})`);
    assert.ok(s.available + s.borrowed <= s.size - s.opening, `sets overlap (${ctx})`);
    assert.ok(s.waiting >= 0 && s.borrowed >= 0, `negative count (${ctx})`);
  };

  const acquire = (): void => {
    const controller = random() < 0.2 ? new AbortController() : undefined;
    const options = random() < 0.3 ? { timeoutMs: Math.floor(random() * 600), signal: controller?.signal } : controller ? { signal: controller.signal } : undefined;
    const p = pool.acquire(options).then(
      (conn) => {
        const fake = connector.opened.find((c) => c.threadId === conn.threadId);
        assert.ok(fake?.valid, `seed ${seed}: handed out a dead connection`);
        holders.set(conn.threadId, (holders.get(conn.threadId) ?? 0) + 1);
        held.push(conn);
      },
      (error: { code?: string }) => {
        assert.ok(
          ['ERR_POOL_ACQUIRE_TIMEOUT', 'ERR_POOL_ACQUIRE_ABORTED', 'ERR_POOL_CLOSED'].includes(String(error.code)),
          `seed ${seed}: unexpected acquire error ${String(error.code)}`,
        );
      },
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
    if (controller && random() < 0.5) queueMicrotask(() => controller.abort());
  };

  const giveBack = async (how: 'release' | 'destroy'): Promise<void> => {
    const conn = held.splice(Math.floor(random() * held.length), 1)[0];
    if (!conn) return;
    holders.set(conn.threadId, (holders.get(conn.threadId) ?? 1) - 1);
    if (random() < 0.3) await conn.query('INSERT INTO t VALUES (1)').catch(() => undefined); // may leave a transaction open
    // Not awaited: a hanging reset only ends when the clock moves, which is this loop's job.
    const p = how === 'release' ? conn.release() : conn.destroy();
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  for (let step = 0; step < STEPS; step++) {
    const action = pick(['acquire', 'acquire', 'acquire', 'release', 'release', 'destroy', 'kill', 'time', 'time', 'faults', 'resize', 'drain'] as const);
    switch (action) {
      case 'acquire':
        acquire();
        break;
      case 'release':
      case 'destroy':
        await giveBack(action);
        break;
      case 'kill': {
        const victim = pick([...connector.live]);
        victim?.kill();
        break;
      }
      case 'time':
        await clock.advance(Math.floor(random() * 200));
        break;
      case 'faults':
        connector.failWith = random() < 0.3 ? new Error('ECONNREFUSED') : undefined;
        connector.pingBehaviour = pick(['ok', 'ok', 'ok', 'fail', 'hang'] as const);
        connector.resetBehaviour = pick(['ok', 'ok', 'ok', 'fail', 'hang'] as const);
        connector.rollbackBehaviour = pick(['ok', 'ok', 'fail'] as const);
        break;
      case 'resize': {
        const maxSize = 1 + Math.floor(random() * 5);
        pool.resize({ maxSize, minSize: Math.floor(random() * (maxSize + 1)) });
        break;
      }
      case 'drain':
        await pool.drain();
        break;
    }
    await flush();
    check(`step ${step} (${action})`);
  }

  // Wind down: heal faults, return everything, close, and prove nothing is left open.
  connector.failWith = undefined;
  connector.pingBehaviour = connector.resetBehaviour = 'ok';
  connector.rollbackBehaviour = 'ok';
  await clock.advance(1000);
  for (const conn of held.splice(0)) pending.add(conn.release());
  const closing = pool.close({ timeoutMs: 100 });
  await clock.advance(10_000);
  await closing;
  await Promise.all(pending);
  assert.equal(connector.live.size, 0, `seed ${seed}: connections left open after close()`);
  assert.ok(connector.opened.every((c) => c.ended || c.destroyed), `seed ${seed}: a connection was never closed`);
  assert.equal(clock.pending, 0, `seed ${seed}: timers left after close()`);
}

describe('randomized interleavings (seeded)', () => {
  it(`keeps every invariant over ${SEEDS} seeds x ${STEPS} steps`, async () => {
    const base = Number(process.env['MARIAPOOL_FUZZ_BASE'] ?? 1);
    for (let seed = base; seed < base + SEEDS; seed++) await runSeed(seed);
  });
});
