/**
 * One bookkeeping contender in its own worker thread, hence its own V8 isolate. In one shared
 * isolate the harness's call sites (`pool.acquire()`, `await`) see every pool's types and turn
 * megamorphic, and each pool's speed then depends on which pools ran before it: measured here,
 * mariapool fell from 10.5M to 6.7M cycles/s and mysql2 from 1.8M to 1.2M at 1 caller. A real
 * application loads one pool library; so does each worker. The parent still runs the contenders
 * one at a time, in turn, round after round (rounds.ts), so they share the machine's drift.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBenchPool, type BenchPool, type PoolKind } from './competitors.js';
import { jain } from './stats.js';

export interface CycleRequest {
  callers: number;
  durationMs: number;
}

export interface CycleResult {
  cyclesPerSec: number;
  /** Sampled waits (µs). */
  waits: number[];
  outOfOrderPct: number;
  jain: number;
  starved: number;
}

async function runOnce(pool: BenchPool, callers: number, durationMs: number): Promise<CycleResult> {
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

const { kind, size } = workerData as { kind: PoolKind; size: number };
const pool = await createBenchPool(kind, size, undefined, { borrowPings: false });
const port = parentPort!;
port.on('message', (request: CycleRequest | 'close') => {
  if (request === 'close') {
    void pool.close().then(() => port.close());
    return;
  }
  void runOnce(pool, request.callers, request.durationMs).then((result) => port.postMessage(result));
});
port.postMessage({ name: pool.name });
