/**
 * The bookkeeping part's bare loop (acquire, release, nothing between), as a process of its own for
 * the instructions part to count under callgrind:
 *   node cycle-loop.js <pool kind> <callers> <warm-up cycles> <counted cycles>
 * It runs the warm-up, prints WARM and waits for a line on stdin (counting is switched on
 * meanwhile), runs the counted cycles, prints DONE and waits again (counting off), then closes.
 */
import { createInterface } from 'node:readline';
import { createBenchPool, type PoolKind } from '../src/competitors.js';

const [kind, callers, warm, counted] = [process.argv[2] as PoolKind, ...process.argv.slice(3).map(Number)] as [PoolKind, number, number, number];
// No pings on borrow, as in the bookkeeping part: a loop of microtasks never reads their answer.
const pool = await createBenchPool(kind, 10, undefined, { borrowPings: false });
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function cycles(n: number): Promise<void> {
  let left = n;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (left-- > 0) pool.release(await pool.acquire());
    }),
  );
}

await cycles(warm);
process.stdout.write('WARM\n');
await lines.next();
await cycles(counted);
process.stdout.write('DONE\n');
await lines.next();
await pool.close();
process.exit(0);
