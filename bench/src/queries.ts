/**
 * Part 2, queries: `SELECT 1` and a primary-key lookup on a 10,000-row table, concurrency
 * 1 / 16 / 64 / 256, pools of 10 and 20. Queries/s and latency p50 / p99.
 */
import { BASELINE_KINDS, createBenchPool, createRawRoundRobin, URL_, type PoolKind } from './competitors.js';
import { createPool as createMariapool } from '@mariapool/core';
import { fmt, median, percentile, spreadPct } from './stats.js';
import type { Table } from './report.js';
import { load } from './load.js';
import { interleaved, pairedRatio, roundCount } from './rounds.js';

type Runner = { name: string; run(sql: string, values?: unknown[]): Promise<unknown>; close(): Promise<void> };

export const BENCH_TABLE = 'bench_users';
const MUX_DEPTH = 32;

export async function ensureUsersTable(query: (sql: string, values?: unknown[]) => Promise<unknown>): Promise<void> {
  await query(`CREATE TABLE IF NOT EXISTS ${BENCH_TABLE} (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(255) NOT NULL)`);
  const rows = (await query(`SELECT COUNT(*) AS n FROM ${BENCH_TABLE}`)) as Array<{ n: bigint | number }>;
  if (Number(rows[0]?.n) >= 10_000) return;
  await query(`INSERT IGNORE INTO ${BENCH_TABLE} SELECT seq, CONCAT('user ', seq), CONCAT('user', seq, '@example.com') FROM seq_1_to_10000`);
}

/** ensureUsersTable through a throw-away pool of one connection, for the parts with pools of their own. */
export async function prepareUsersTable(): Promise<void> {
  const setup = await createBenchPool('mariapool', 1);
  try {
    await ensureUsersTable(setup.poolQuery!);
  } finally {
    await setup.close();
  }
}

async function runners(size: number): Promise<Runner[]> {
  const out: Runner[] = [];
  const borrow = async (kind: PoolKind, label?: string) => {
    const p = await createBenchPool(kind, size);
    out.push({
      name: label ?? `${p.name} (acquire/query/release)`,
      run: async (sql, values) => {
        const c = await p.acquire();
        try {
          return await c.query(sql, values);
        } finally {
          p.release(c);
        }
      },
      close: () => p.close(),
    });
    return p;
  };
  // Run order (also the tables' row order) puts the contenders each target compares next to each
  // other: the exclusive path beside its two ceilings, the multiplexer beside raw pipelining.
  const ours = await borrow('mariapool', 'mariapool');
  for (const kind of BASELINE_KINDS) await borrow(kind, `mariapool (${kind.slice('baseline:'.length)})`);
  await borrow('minimal', 'minimal FIFO');
  const nopipe = await createRawRoundRobin(size, false);
  out.push({ name: nopipe.name, run: nopipe.query, close: nopipe.close });
  for (const kind of ['mariadb', 'mysql2'] as const) {
    const p = await createBenchPool(kind, size);
    out.push({ name: `${p.name} pool.query()`, run: p.poolQuery!, close: () => p.close() });
  }
  out.push({ name: 'mariapool pool.query()', run: ours.poolQuery!, close: async () => undefined });
  // size × depth ≥ the highest concurrency (256 on a pool of 10): the cap is the user's choice,
  // and with depth 16 (160 in flight) the last 96 callers would only measure the queue.
  const mux = await createMariapool(URL_, { minSize: size, maxSize: size, enableHealthCheck: false, maxPipelineDepth: MUX_DEPTH, name: 'bench-mux' });
  out.push({ name: `mariapool pool.query(), maxPipelineDepth ${MUX_DEPTH}`, run: (sql, values) => mux.query(sql, values), close: () => mux.close() });
  const pipelined = await createRawRoundRobin(size, true);
  out.push({ name: pipelined.name, run: pipelined.query, close: pipelined.close });
  return out;
}

/** The multiplexing targets' ratios, paired per round: the tables' "ours" columns are about the exclusive path. */
function multiplexingNote(rows: Array<{ concurrency: number; runner: string; qps: number[] }>, concurrencies: number[]): string {
  const qps = (c: number, prefix: string) => rows.find((x) => x.concurrency === c && x.runner.startsWith(prefix))?.qps ?? [NaN];
  const mux = 'mariapool pool.query(), maxPipelineDepth';
  const cells = concurrencies.map((c) => `c=${c}: ${pairedRatio(qps(c, mux), qps(c, 'raw-rr (pipelined)')).toFixed(2)}x / ${pairedRatio(qps(c, mux), qps(c, 'mariadb pool')).toFixed(2)}x`);
  return `Multiplexed pool.query() ÷ raw-rr (pipelined) / ÷ mariadb pool pool.query(): ${cells.join('; ')}.`;
}

/** Pools and raw connection sets `runners()` opens side by side (the multiplexed one included). */
const RUNNER_POOLS = 7;

/**
 * The runners of one pool size hold all their connections at once (140 with pools of 20). Says
 * so, with the numbers, before a run dies halfway with the server's "Too many connections".
 */
async function ensureConnectionRoom(needed: number): Promise<void> {
  const probe = await createBenchPool('mariapool', 1);
  try {
    const rows = (await probe.poolQuery!("SELECT @@max_connections AS max, (SELECT COUNT(*) FROM information_schema.PROCESSLIST) AS used")) as Array<{ max: number | bigint; used: number | bigint }>;
    const max = Number(rows[0]?.max);
    const used = Number(rows[0]?.used) - 1; // the probe itself
    if (max - used < needed + 1) {
      throw new Error(`the queries part needs ${needed} connections at once; the server allows ${max} (max_connections) and ${used} are in use by others: raise max_connections or close them`);
    }
  } finally {
    await probe.close();
  }
}

export async function queries(opts: { quick: boolean }): Promise<{ results: unknown[]; tables: Table[] }> {
  // Baselines are extra contenders: with pools of 20 they would need more than the server's
  // default 151 connections, so a before/after run compares pools of 10.
  const sizes = opts.quick || BASELINE_KINDS.length > 0 ? [10] : [10, 20];
  const concurrencies = opts.quick ? [1, 64] : [1, 16, 64, 256];
  const durationMs = opts.quick ? 250 : 1000;
  const statements: Array<[string, string, () => unknown[] | undefined]> = [
    ['SELECT 1', 'SELECT 1', () => undefined],
    ['PK lookup', `SELECT id, name, email FROM ${BENCH_TABLE} WHERE id = ?`, () => [1 + Math.floor(Math.random() * 10_000)]],
  ];
  const results: Array<{ size: number; statement: string; concurrency: number; runner: string; qps: number[]; p50: number; p99: number; cpuUsPerQuery: number }> = [];
  const tables: Table[] = [];
  for (const size of sizes) {
    await ensureConnectionRoom((RUNNER_POOLS + BASELINE_KINDS.length) * size);
    const rs = await runners(size);
    await ensureUsersTable(rs[0].run);
    for (const [label, sql, values] of statements) {
      for (const concurrency of concurrencies) {
        const perRunner = await interleaved(rs, roundCount(opts.quick), (r, warmUp) => load(() => r.run(sql, values()), concurrency, warmUp ? durationMs / 4 : durationMs));
        rs.forEach((r, i) => {
          const runs = perRunner[i]!;
          const lat = runs.flatMap((x) => x.lat);
          results.push({ size, statement: label, concurrency, runner: r.name, qps: runs.map((x) => x.qps), p50: percentile(lat, 50), p99: percentile(lat, 99), cpuUsPerQuery: median(runs.map((x) => x.cpuUs)) });
        });
        process.stdout.write('.');
      }
      const rows = results.filter((x) => x.size === size && x.statement === label);
      const ref = (c: number, name: string) => rows.find((x) => x.concurrency === c && x.runner === name)?.qps ?? [NaN];
      tables.push({
        title: `${label}, pool of ${size}: queries/s (±%), p50 / p99 ms, client CPU µs per query, and ratios of mariapool (acquire/query/release) to the others`,
        header: ['runner', ...concurrencies.map((c) => `c=${c}`)],
        rows: rs.map((r) => [
          r.name,
          ...concurrencies.map((c) => {
            const x = rows.find((y) => y.concurrency === c && y.runner === r.name)!;
            const ratio = pairedRatio(ref(c, 'mariapool'), x.qps);
            return `${fmt(median(x.qps))} (±${spreadPct(x.qps).toFixed(0)}%) ${x.p50.toFixed(2)}/${x.p99.toFixed(2)} ms ${x.cpuUsPerQuery.toFixed(1)} µs; ours ${ratio.toFixed(2)}x`;
          }),
        ]),
        notes: [multiplexingNote(rows, concurrencies.filter((c) => c >= 16))],
      });
    }
    for (const r of rs) await r.close();
  }
  process.stdout.write('\n');
  // Appended: the last table keeps its own multiplexing note.
  tables.at(-1)!.notes!.push(
    'Targets: mariapool ≥ 0.95x raw-rr:nopipe and minimal FIFO, ≥ 1.2x the mariadb pool from c=16 up; multiplexed pool.query() ≥ 0.9x raw-rr (pipelined) and ≥ 1.6x the mariadb pool at c=64 and 256. "ours Nx" = mariapool (acquire/query/release) ÷ that row: the median of per-round ratios (every runner runs once per round, in turn, after a warm-up).',
  );
  return { results, tables };
}
