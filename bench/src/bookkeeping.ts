/**
 * Part 1, bookkeeping: acquire + release with nothing between, 1 / 100 / 1,000 concurrent callers
 * on 10 connections. Cycles/s, wait p50/p99/max, and fairness: share served out of order (a
 * caller served before one who asked earlier), Jain's index over callers, callers never served.
 */
import { createBenchPool, type BenchPool, type PoolKind } from './competitors.js';
import { fmt, jain, median, percentile, spreadPct } from './stats.js';
import type { Table } from './report.js';
import { interleaved, pairedRatio } from './rounds.js';

export interface BookkeepingResult {
  pool: string;
  callers: number;
  cyclesPerSec: number[];
  waitP50Us: number;
  waitP99Us: number;
  waitMaxUs: number;
  outOfOrderPct: number;
  jain: number;
  starved: number;
}

async function runOnce(pool: BenchPool, callers: number, durationMs: number) {
  const counts = new Array<number>(callers).fill(0);
  const waits: number[] = [];
  let ticket = 0;
  let lastServed = -1;
  let outOfOrder = 0;
  let total = 0;
  const started = performance.now();
  // Each caller checks the clock itself: with many callers the microtask chain never lets a timer
  // fire, so a stop flag set by setTimeout would end the run late and skew the fairness numbers.
  const deadline = started + durationMs;
  await Promise.all(
    counts.map(async (_, caller) => {
      for (let mineCycles = 1; ; mineCycles++) {
        if ((mineCycles & 31) === 0 && performance.now() > deadline) return;
        const mine = ticket++;
        // Every 32nd wait is timed: enough samples for p99, and little of the harness's own work
        // in each cycle (that work is the same for every pool and would hide their differences).
        const sample = (mine & 31) === 0;
        const t0 = sample ? performance.now() : 0;
        const lease = await pool.acquire();
        if (sample) waits.push((performance.now() - t0) * 1000);
        if (mine < lastServed) outOfOrder++;
        else lastServed = mine;
        counts[caller]++;
        total++;
        pool.release(lease);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { cyclesPerSec: total / elapsed, waits, outOfOrderPct: (outOfOrder / Math.max(1, total)) * 100, jain: jain(counts), starved: counts.filter((c) => c === 0).length };
}

export async function bookkeeping(opts: { quick: boolean }): Promise<{ results: BookkeepingResult[]; tables: Table[] }> {
  const kinds: PoolKind[] = ['mariapool', 'minimal', 'mariadb', 'mysql2', 'tarn', 'generic-pool'];
  const callerCounts = [1, 100, 1000];
  const durationMs = opts.quick ? 300 : 1500;
  const pools: BenchPool[] = [];
  for (const kind of kinds) pools.push(await createBenchPool(kind, 10, undefined, { borrowPings: false }));
  const results: BookkeepingResult[] = [];
  for (const callers of callerCounts) {
    const perPool = await interleaved(pools, 3, (pool, warmUp) => runOnce(pool, callers, warmUp ? durationMs / 3 : durationMs));
    pools.forEach((pool, i) => {
      const runs = perPool[i]!;
      const waits = runs.flatMap((x) => x.waits);
      results.push({
        pool: pool.name,
        callers,
        cyclesPerSec: runs.map((x) => x.cyclesPerSec),
        waitP50Us: percentile(waits, 50),
        waitP99Us: percentile(waits, 99),
        waitMaxUs: waits.reduce((a, b) => (b > a ? b : a), 0),
        outOfOrderPct: median(runs.map((x) => x.outOfOrderPct)),
        jain: median(runs.map((x) => x.jain)),
        starved: Math.max(...runs.map((x) => x.starved)),
      });
    });
    process.stdout.write('.');
  }
  for (const pool of pools) await pool.close();
  process.stdout.write('\n');
  const ours = (callers: number) => results.find((r) => r.pool === 'mariapool' && r.callers === callers)!.cyclesPerSec;
  const table: Table = {
    title: 'Bookkeeping: acquire + release cycles/s, pool of 10',
    header: ['pool', 'callers', 'cycles/s (±%)', 'mariapool ÷ this', 'wait p50 / p99 / max (µs)', 'out of order', 'Jain', 'starved'],
    rows: results.map((r) => [
      r.pool,
      String(r.callers),
      `${fmt(median(r.cyclesPerSec))} (±${spreadPct(r.cyclesPerSec).toFixed(0)}%)`,
      `${pairedRatio(ours(r.callers), r.cyclesPerSec).toFixed(2)}x`,
      `${fmt(r.waitP50Us, 1)} / ${fmt(r.waitP99Us, 1)} / ${fmt(r.waitMaxUs, 0)}`,
      `${r.outOfOrderPct.toFixed(1)}%`,
      r.jain.toFixed(2),
      String(r.starved),
    ]),
    notes: [
      'Targets: mariapool ≥ 3x mysql2 and ≥ 8x the mariadb pool at 1 and 100 callers, ≥ 0.5x minimal; 0% out of order, Jain ≥ 0.99, no starved caller at 100 and 1,000.',
      'No pool validates on borrow here (no I/O between acquire and release; see BenchPoolOptions). All pools are open side by side; each round runs every pool once, in turn, after one unmeasured warm-up each. "mariapool ÷ this" is the median of the per-round ratios.',
    ],
  };
  return { results, tables: [table] };
}
