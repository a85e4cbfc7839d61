import { median } from './stats.js';

/**
 * Measures every contender once per round, in turn, after one unmeasured warm-up each (JIT: a
 * pool's code is re-optimised when it moves from its fast path to its queueing path, which made
 * the first of three repeats up to 4x slower). On 2 cores shared with the database, throughput
 * drifts by ±15-30% over a minute; running the contenders side by side within each round exposes
 * them to the same drift, and `pairedRatio` compares them round by round.
 * Returns, per contender, one result per round.
 */
export async function interleaved<C, R>(contenders: readonly C[], rounds: number, measure: (contender: C, warmUp: boolean) => Promise<R>): Promise<R[][]> {
  for (const c of contenders) await measure(c, true);
  const out: R[][] = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) out[i]!.push(await measure(contenders[i]!, false));
  }
  return out;
}

/** Median over rounds of ours ÷ theirs, each ratio taken within one round. */
export function pairedRatio(ours: readonly number[], theirs: readonly number[]): number {
  return median(ours.map((x, i) => x / (theirs[i] ?? NaN)));
}
