/**
 * Measures one pool's huge-queue cost in a child process of its own (see growth.ts): holds every
 * connection, queues `waiters` acquires, then lets them hand the connections on.
 * Run as `node --expose-gc queue-cost-worker.js <kind> <waiters>` with an IPC channel (fork).
 */
import { createBenchPool, type PoolKind } from './competitors.js';
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
 * time), after one untimed batch (JIT), so both sizes are timed over the same work. Timed apart:
 * queueing the acquires, and the hand-offs. Bytes per waiter: the median over batches of the heap
 * growth while queueing (one batch of 100 is within the heap's own noise).
 */
async function queueCost(kind: PoolKind, waiters: number): Promise<QueueCost> {
  const pool = await createBenchPool(kind, 10);
  const batches = Math.max(1, Math.round(100_000 / waiters));
  const bytes: number[] = [];
  let queueMs = 0;
  let handOffMs = 0;
  for (let batch = -1; batch < batches; batch++) {
    const held = await Promise.all(Array.from({ length: 10 }, () => pool.acquire()));
    if (batch === 0) (globalThis as { gc?: () => void }).gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const all: Array<Promise<void>> = [];
    const queueing = performance.now();
    for (let i = 0; i < waiters; i++) all.push(pool.acquire().then((c) => pool.release(c)));
    const started = performance.now();
    if (batch >= 0) bytes.push((process.memoryUsage().heapUsed - heapBefore) / waiters);
    for (const c of held) pool.release(c);
    await Promise.all(all);
    if (batch >= 0) {
      queueMs += started - queueing;
      handOffMs += performance.now() - started;
    }
  }
  await pool.close();
  const total = waiters * batches;
  return { name: pool.name, waiters, bytesPerWaiter: median(bytes), queuedPerSec: total / (queueMs / 1000), cyclesPerSec: total / (handOffMs / 1000) };
}

const [kind, waiters] = [process.argv[2] as PoolKind, Number(process.argv[3])];
process.send!(await queueCost(kind, waiters), () => process.exit(0));
