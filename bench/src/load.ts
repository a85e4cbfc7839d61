/** Drives `concurrency` callers of `run` for `durationMs`; returns calls/s and sampled latencies (ms). */
export async function load(run: () => Promise<unknown>, concurrency: number, durationMs: number): Promise<{ qps: number; lat: number[] }> {
  let stop = false;
  let done = 0;
  const lat: number[] = [];
  setTimeout(() => (stop = true), durationMs);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!stop) {
        const t0 = performance.now();
        await run();
        if ((done & 3) === 0) lat.push(performance.now() - t0);
        done++;
      }
    }),
  );
  return { qps: done / ((performance.now() - started) / 1000), lat };
}
