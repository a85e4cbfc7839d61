/**
 * Part 4, growth: throughput and p99 as callers grow 1 → 1,000 on a pool of 10 (PK lookup), and
 * the cost of a huge queue: memory per waiter and hand-off cycles/s with 100 and 100,000 waiters.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createBenchPool, type PoolKind } from './competitors.js';
import type { QueueCost } from './queue-cost-worker.js';
import { BENCH_TABLE, ensureUsersTable } from './queries.js';
import { fmt, median, percentile } from './stats.js';
import type { Table } from './report.js';
import { load } from './load.js';

async function callersCurve(kind: PoolKind, callers: number[], durationMs: number) {
  const pool = await createBenchPool(kind, 10);
  const out: Array<{ callers: number; qps: number; p99: number }> = [];
  for (const n of callers) {
    const { qps, lat } = await load(async () => {
      const c = await pool.acquire();
      try {
        await c.query(`SELECT id, name FROM ${BENCH_TABLE} WHERE id = ?`, [1 + Math.floor(Math.random() * 10_000)]);
      } finally {
        pool.release(c);
      }
    }, n, durationMs);
    out.push({ callers: n, qps, p99: percentile(lat, 99) });
  }
  await pool.close();
  return { name: pool.name, out };
}

/**
 * The huge-queue cost of one pool, measured in a fresh process: that cost is mostly garbage
 * collection, which depends on what the heap already holds and on the heap's limits. In the
 * harness's own heap one pool's result moved by 2x with what had run before it, and a worker
 * thread's smaller heap settings favour a different pool than a process's do.
 */
function queueCostInProcess(kind: PoolKind, waiters: number): Promise<QueueCost> {
  const child = fork(fileURLToPath(new URL('./queue-cost-worker.js', import.meta.url)), [kind, String(waiters)], { execArgv: ['--expose-gc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (result) => resolve(result as QueueCost));
    child.once('exit', (code) => reject(new Error(`queue-cost process for ${kind} exited with ${code} before reporting`)));
  });
}

export async function growth(opts: { quick: boolean }): Promise<{ results: unknown; tables: Table[] }> {
  const setup = await createBenchPool('mariapool', 1);
  await ensureUsersTable(setup.poolQuery!);
  await setup.close();
  const callers = opts.quick ? [1, 100, 1000] : [1, 10, 100, 300, 1000];
  const durationMs = opts.quick ? 300 : 1500;
  const curves = [];
  for (const kind of ['mariapool', 'mariadb', 'minimal'] as const) curves.push(await callersCurve(kind, callers, durationMs));
  const queue: QueueCost[] = [];
  for (const kind of ['mariapool', 'minimal'] as const) {
    for (const n of [100, 100_000]) {
      const runs = [];
      for (let r = 0; r < 3; r++) runs.push(await queueCostInProcess(kind, n));
      queue.push({ ...runs[0], bytesPerWaiter: median(runs.map((x) => x.bytesPerWaiter)), queuedPerSec: median(runs.map((x) => x.queuedPerSec)), cyclesPerSec: median(runs.map((x) => x.cyclesPerSec)) });
    }
  }
  const rate = (name: string, n: number) => queue.find((q) => q.name === name && q.waiters === n)!.cyclesPerSec;
  const flatness = (name: string) => (rate(name, 100_000) / rate(name, 100)).toFixed(2);
  const megabytes = (name: string) => ((queue.find((q) => q.name === name && q.waiters === 100_000)!.bytesPerWaiter * 100_000) / 1e6).toFixed(0);
  return {
    results: { curves, queue },
    tables: [
      {
        title: 'Growth: PK lookups/s and p99 (ms) as callers grow, pool of 10',
        header: ['pool', ...callers.map((n) => `${n} callers`)],
        rows: curves.map((c) => [c.name, ...c.out.map((x) => `${fmt(x.qps)} / ${x.p99.toFixed(1)} ms`)]),
      },
      {
        title: 'Growth: a huge queue (all 10 connections held, then N waiters hand them on)',
        header: ['pool', 'waiters', 'bytes per waiter', 'acquires queued/s', 'hand-offs/s'],
        rows: queue.map((q) => [q.name, fmt(q.waiters), q.bytesPerWaiter.toFixed(0), fmt(q.queuedPerSec), fmt(q.cyclesPerSec)]),
        notes: [
          `Hand-offs/s with 100,000 waiters ÷ with 100: mariapool ${flatness('mariapool')}x (target ≥ 0.8x), minimal FIFO ${flatness('minimal FIFO')}x; target ≤ 1 KB per waiter.`,
          `Each measurement runs in a fresh process. The cost of a huge queue is mostly garbage collection of the live waiters, so it grows with bytes per waiter: 100,000 waiters take ${megabytes('mariapool')} MB in mariapool and ${megabytes('minimal FIFO')} MB in the minimal pool, and a major collection that lands in the hand-offs (node --trace-gc) costs more than the hand-offs themselves.`,
        ],
      },
    ],
  };
}
