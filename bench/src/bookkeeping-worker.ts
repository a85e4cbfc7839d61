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
  /** Length of the throughput pass (ms). */
  durationMs: number;
  /** Length of the fairness pass (ms); 0 skips it (a warm-up). */
  fairnessMs: number;
}

export interface CycleResult {
  /** From the bare throughput pass. */
  cyclesPerSec: number;
  /** Sampled waits (µs). */
  waits: number[];
  outOfOrderPct: number;
  jain: number;
  starved: number;
}

/**
 * Throughput: every caller acquires and releases as fast as it can, and the loop does nothing else.
 * The fairness pass below does more per cycle (a ticket, a counter per caller, a sampled clock
 * read): ~15 ns, the same for every pool, which is 10 % of a fast pool's cycle and would hide the
 * differences this part exists to show (measured: mariapool 5.3M in the instrumented loop, 5.8M
 * bare, mysql2 1.85M in both). So cycles/s come from this bare loop, fairness from the other.
 */
async function throughput(pool: BenchPool, callers: number, durationMs: number): Promise<number> {
  let total = 0;
  const started = performance.now();
  // Each caller checks the clock itself: with many callers the microtask chain never lets a timer
  // fire, so a stop flag set by setTimeout would end the run late.
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let cycle = 0; ; cycle++) {
        if ((cycle & 31) === 31 && performance.now() > deadline) {
          total += cycle;
          return;
        }
        pool.release(await pool.acquire());
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

/** Fairness and waits: who is served, in which order, after how long. */
async function fairness(pool: BenchPool, callers: number, durationMs: number): Promise<Omit<CycleResult, 'cyclesPerSec'>> {
  const counts = new Array<number>(callers).fill(0);
  const waits: number[] = [];
  let ticket = 0;
  let lastServed = -1;
  let outOfOrder = 0;
  let total = 0;
  const deadline = performance.now() + durationMs;
  await Promise.all(
    counts.map(async (_, caller) => {
      for (let mineCycles = 1; ; mineCycles++) {
        if ((mineCycles & 31) === 0 && performance.now() > deadline) return;
        const mine = ticket++;
        // Every 32nd wait is timed: enough samples for p99.
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
  return { waits, outOfOrderPct: (outOfOrder / Math.max(1, total)) * 100, jain: jain(counts), starved: counts.filter((c) => c === 0).length };
}

async function runOnce(pool: BenchPool, request: CycleRequest): Promise<CycleResult> {
  const cyclesPerSec = await throughput(pool, request.callers, request.durationMs);
  if (request.fairnessMs === 0) return { cyclesPerSec, waits: [], outOfOrderPct: 0, jain: 1, starved: 0 };
  return { cyclesPerSec, ...(await fairness(pool, request.callers, request.fairnessMs)) };
}

const { kind, size } = workerData as { kind: PoolKind; size: number };
const pool = await createBenchPool(kind, size, undefined, { borrowPings: false });
const port = parentPort!;
port.on('message', (request: CycleRequest | 'close') => {
  if (request === 'close') {
    void pool.close().then(() => port.close());
    return;
  }
  void runOnce(pool, request).then((result) => port.postMessage(result));
});
port.postMessage({ name: pool.name });
