/**
 * Measures one pool's huge-queue cost in a child process of its own (see growth.ts): holds every
 * connection, queues `waiters` acquires, then lets them hand the connections on.
 * Run as `node --expose-gc queue-cost-worker.js <kind> <waiters>` with an IPC channel (fork).
 */
import { createBenchPool, type BenchPool, type Lease, type PoolKind } from './competitors.js';
import { median } from './stats.js';

export interface QueueCost {
  name: string;
  waiters: number;
  bytesPerWaiter: number;
  queuedPerSec: number;
  cyclesPerSec: number;
}

/**
 * Holds every connection, queues `waiters` acquires, then lets them hand the connections on. Small
 * queues run in batches up to 100,000 hand-offs in all (100 hand-offs take ~50 µs, too short to
 * time), so both sizes are timed over the same work, after the same work untimed (JIT). That is done
 * REPEATS times and each rate is the median of the repeats: one 100,000-waiter batch lasts ~20 ms,
 * and its rate moves by up to 2x from repeat to repeat (memory traffic on a shared VM).
 * Timed apart: queueing the acquires, and the hand-offs. Bytes per waiter: the median over batches
 * of the heap growth while queueing (one batch of 100 is within the heap's own noise).
 */
async function queueCost(kind: PoolKind, waiters: number): Promise<QueueCost> {
  const pool = await createBenchPool(kind, 10);
  const batches = Math.max(1, Math.round(100_000 / waiters));
  const bytes: number[] = [];
  const queueRates: number[] = [];
  const handOffRates: number[] = [];
  // repeat -1 is the warm-up, the same 100,000 hand-offs for both sizes: one batch of 100 (the
  // warm-up this part had before) left the small queue's code half-optimized, so its rate was
  // low and the two sizes looked flatter than they are.
  for (let repeat = -1; repeat < REPEATS; repeat++) {
    let queueMs = 0;
    let handOffMs = 0;
    for (let batch = 0; batch < batches; batch++) {
      const run = await runBatch(pool, waiters, batch === 0);
      if (repeat >= 0) bytes.push(run.bytesPerWaiter);
      queueMs += run.queueMs;
      handOffMs += run.handOffMs;
    }
    if (repeat < 0) continue;
    queueRates.push((waiters * batches) / (queueMs / 1000));
    handOffRates.push((waiters * batches) / (handOffMs / 1000));
  }
  await pool.close();
  return { name: pool.name, waiters, bytesPerWaiter: median(bytes), queuedPerSec: median(queueRates), cyclesPerSec: median(handOffRates) };
}

const REPEATS = 5;

/** One batch; `collectFirst`: a full GC before it (each repeat starts from the same clean heap). */
async function runBatch(pool: BenchPool, waiters: number, collectFirst: boolean): Promise<{ bytesPerWaiter: number; queueMs: number; handOffMs: number }> {
  const held = await Promise.all(Array.from({ length: 10 }, () => pool.acquire()));
  if (collectFirst) (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  // Completions are counted, not collected with Promise.all: its per-promise reaction and
  // resolve-element closure, made after every waiter queued (so young, pointed at from old
  // promises), cost each hand-off more than the pool did (100,000 waiters: 1.8M hand-offs/s with
  // it, 3.5-5.9M without). One shared handler, not a closure per waiter, for the same reason.
  let left = waiters;
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const handOn = (c: Lease): void => {
    pool.release(c);
    if (--left === 0) finish();
  };
  const queueing = performance.now();
  for (let i = 0; i < waiters; i++) pool.acquire().then(handOn, fail);
  const queued = performance.now();
  // Outside both timings: it reads /proc too, ~10 µs, and a batch of 100 hand-offs takes ~20 µs.
  const bytesPerWaiter = (process.memoryUsage().heapUsed - heapBefore) / waiters;
  const started = performance.now();
  for (const c of held) pool.release(c);
  await finished;
  return { bytesPerWaiter, queueMs: queued - queueing, handOffMs: performance.now() - started };
}

const [kind, waiters] = [process.argv[2] as PoolKind, Number(process.argv[3])];
process.send!(await queueCost(kind, waiters), () => process.exit(0));
