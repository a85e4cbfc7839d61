import { median } from './stats.js';

/**
 * Measured rounds per comparison. Many short rounds pair better than a few long ones: throughput
 * drifts by ±15-30 % within a minute on this 2-core box shared with the server, and with 3 rounds
 * of 1.5 s one run's median ratio of mariapool to mysql2 at 100 callers was 5.1x and the next
 * one's 2.8x; mariapool ÷ minimal at c = 64 gave 0.82-1.12 over runs of 3 rounds and 1.00-1.14 over
 * runs of 7. The CPU per query or request, printed beside throughput, moves by a few % only: it is
 * the steadier sign of what each pool costs. Quick mode (CI) only proves that the harness runs.
 */
export function roundCount(quick: boolean): number {
  return quick ? 2 : 7;
}

/**
 * Measures every contender once per round, after one unmeasured warm-up each (JIT: a pool's code
 * is re-optimised when it moves from its fast path to its queueing path, which made the first of
 * three repeats up to 4x slower). On 2 cores shared with the database, throughput drifts by
 * ±15-30% over a minute; running the contenders side by side within each round exposes them to
 * the same drift, and `pairedRatio` compares them round by round. Odd rounds run the contenders in
 * reverse order (A B C, C B A, ...), so drift within a round favours no position: a contender
 * measured late in one round is measured early in the next.
 * Returns, per contender, one result per round. `warmUp: false` skips the warm-ups, for
 * measurements that start a fresh process each time (nothing to warm).
 */
export async function interleaved<C, R>(
  contenders: readonly C[],
  rounds: number,
  measure: (contender: C, warmUp: boolean) => Promise<R>,
  { warmUp = true }: { warmUp?: boolean } = {},
): Promise<R[][]> {
  if (warmUp) for (const c of contenders) await measure(c, true);
  const out: R[][] = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = round % 2 === 0 ? k : contenders.length - 1 - k;
      out[i]!.push(await measure(contenders[i]!, false));
    }
  }
  return out;
}

/** Median over rounds of ours ÷ theirs, each ratio taken within one round. */
export function pairedRatio(ours: readonly number[], theirs: readonly number[]): number {
  return median(ours.map((x, i) => x / (theirs[i] ?? NaN)));
}
