/**
 * Drives `concurrency` callers of `run` for `durationMs`. Returns calls/s, sampled latencies (ms)
 * and this process's CPU time per call (µs): the client-side cost of each call, which on this
 * 2-core box shared with the server is far steadier than throughput.
 */
export async function load(run: () => Promise<unknown>, concurrency: number, durationMs: number): Promise<{ qps: number; lat: number[]; cpuUs: number }> {
  let stop = false;
  let done = 0;
  const lat: number[] = [];
  setTimeout(() => (stop = true), durationMs);
  const started = performance.now();
  const cpu = process.cpuUsage();
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
  const used = process.cpuUsage(cpu);
  return { qps: done / ((performance.now() - started) / 1000), lat, cpuUs: (used.user + used.system) / Math.max(1, done) };
}
