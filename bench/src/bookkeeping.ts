/**
 * Part 1, bookkeeping: acquire + release with nothing between, 1 / 100 / 1,000 concurrent callers
 * on 10 connections. Cycles/s, wait p50/p99/max, and fairness: share served out of order (a
 * caller served before one who asked earlier), Jain's index over callers, callers never served.
 */
import { Worker } from 'node:worker_threads';
import { BASELINE_KINDS, type PoolKind } from './competitors.js';
import type { CycleRequest, CycleResult } from './bookkeeping-worker.js';
import { fmt, median, percentile, spreadPct } from './stats.js';
import type { Table } from './report.js';
import { interleaved, pairedRatio, roundCount } from './rounds.js';

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

/** A contender running in its own worker (see bookkeeping-worker.ts). */
interface Contender {
  name: string;
  run(request: CycleRequest): Promise<CycleResult>;
  close(): Promise<void>;
}

async function startContender(kind: PoolKind, size: number): Promise<Contender> {
  const worker = new Worker(new URL('./bookkeeping-worker.js', import.meta.url), { workerData: { kind, size } });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      const onError = (error: Error) => reject(new Error(`bookkeeping worker for ${kind} failed: ${error.message}`, { cause: error }));
      worker.once('error', onError);
      worker.once('message', (value: T) => {
        worker.off('error', onError);
        resolve(value);
      });
    });
  const { name } = await next<{ name: string }>();
  return {
    name,
    run: (request) => {
      const result = next<CycleResult>();
      worker.postMessage(request);
      return result;
    },
    close: async () => {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('close');
      await exited;
    },
  };
}

export async function bookkeeping(opts: { quick: boolean }): Promise<{ results: BookkeepingResult[]; tables: Table[] }> {
  const kinds: PoolKind[] = ['mariapool', ...BASELINE_KINDS, 'minimal', 'mariadb', 'mysql2', 'tarn', 'generic-pool'];
  const callerCounts = [1, 100, 1000];
  const durationMs = opts.quick ? 150 : 600;
  const fairnessMs = opts.quick ? 100 : 400;
  const pools: Contender[] = [];
  for (const kind of kinds) pools.push(await startContender(kind, 10));
  const results: BookkeepingResult[] = [];
  for (const callers of callerCounts) {
    const perPool = await interleaved(pools, roundCount(opts.quick), (pool, warmUp) => pool.run(warmUp ? { callers, durationMs: durationMs / 3, fairnessMs: 0 } : { callers, durationMs, fairnessMs }));
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
      'No pool validates on borrow here (no I/O between acquire and release; see BenchPoolOptions). Cycles/s come from a bare loop (acquire, release, nothing else); waits and fairness from a second pass that also takes tickets, counts per caller and samples the clock, ~15 ns a cycle that would otherwise hide the difference between the fast pools (bookkeeping-worker.ts). Each pool runs in its own worker thread (its own V8 isolate, as in an application that loads one pool library), all open side by side; each round runs every pool once, in turn, after one unmeasured warm-up each. "mariapool ÷ this" is the median of the per-round ratios.',
    ],
  };
  return { results, tables: [table] };
}
