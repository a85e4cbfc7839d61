/**
 * Part 6, server instructions per request: the HTTP part's servers again, each under valgrind's
 * callgrind, which counts the instructions the server process executes (user space; the kernel's
 * socket work is the same for every variant). Unlike req/s and CPU time, which drift by ±10-20 %
 * within a minute on this 2-core machine, a count repeats to within 1 % (a ratio of two: 1.5 %):
 * it says what a pool or a framework layer adds to a request, where the HTTP part can only bound it.
 *
 * Each server gets a warm-up load (JIT), then counting is switched on for a fixed number of
 * requests (autocannon, 100 connections). Counted apart and left out: the JIT compilers'
 * instructions (V8's TurboFan and its helpers), since when each function gets (re)compiled varies
 * from run to run by several % of the total, and for the same reason the old generation's garbage
 * collector. The part also attributes the counts to functions (attribution.ts) and counts the
 * bookkeeping part's loop (cycle-instructions.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { byOrigin, COMPILER_BUCKET, costliest, countedInstructions, MAJOR_GC_BUCKET, instructionsByFunction, largestDifferences, PERF_MAP_FLAG, perfMapFile, UNNAMED_JIT } from './attribution.js';
import { callgrindCommand, callgrindControl, findDump } from './callgrind.js';
import { cycleInstructions } from './cycle-instructions.js';
import { startServer, userRequests, VARIANTS as HTTP_VARIANTS } from '../src/http.js';
import type { Table } from '../src/report.js';
import { prepareUsersTable } from '../src/queries.js';

/** Each target's contenders, from the HTTP part (in its order, each reference before its rows). */
const LABELS = [
  'Fastify + minimal pool by hand',
  'Fastify + @mariapool/fastify',
  'Fastify + @mariapool/fastify, app.pool.query() (no request connection)',
  'Nest + pool.query()',
  'Nest + @Conn()',
];
const VARIANTS = HTTP_VARIANTS.filter((v) => LABELS.includes(v.label));
if (VARIANTS.length !== LABELS.length) throw new Error(`instructions: the HTTP part has no variant labelled ${LABELS.filter((l) => !VARIANTS.some((v) => v.label === l)).join(', ')}`);
/** Quick mode proves the harness (valgrind, counting switch, parsing) on one variant. */
const QUICK_VARIANTS = [VARIANTS[1]!];

/** The target the attribution table explains: the plugin against the minimal pool by hand. */
const ATTRIBUTED = { reference: 'Fastify + minimal pool by hand', other: 'Fastify + @mariapool/fastify' };
/** Functions listed in the attribution table. */
const ATTRIBUTION_ROWS = 16;

function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * One load of `warm + counted` requests (and a short tail, so the counted window never sees the
 * load end), with counting switched on after `warm` responses and off `counted` later. One load,
 * not two: a new load's connections and the pool's move from idle to busy deoptimize and
 * recompile code (in Node and in the pool), which a second load would put in the counted window.
 */
async function countedLoad(port: number, base: string, warm: number, counted: number, control: (...args: string[]) => void): Promise<number> {
  let responses = 0;
  let countedResponses = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: 100,
        // Under valgrind a cold server answers its first requests after seconds, not milliseconds
        // (quick mode on a slow VM: ~35 of 100 passed autocannon's default 10 s). What is counted
        // here is instructions, not latency, so a request may take its time.
        timeout: 120,
        amount: warm + counted + 1000,
        requests: userRequests(base),
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', () => {
      responses++;
      if (responses === warm) control('-i', 'on');
      else if (responses === warm + counted) {
        control('-i', 'off');
        countedResponses = counted;
      }
    });
  });
  if (result.non2xx + result.errors > 0) throw new Error(`${base}: ${result.non2xx} non-2xx responses, ${result.errors} errors (${result.timeouts} of them timeouts)`);
  if (countedResponses === 0) throw new Error(`${base}: the load ended before ${warm + counted} responses`);
  return countedResponses;
}

interface Measurement {
  /** Instructions per request, the compiler and the old-generation GC left out. */
  perRequest: number;
  compilerPerRequest: number;
  majorGcPerRequest: number;
  requests: number;
  /** Self instructions by function over the counted requests (see attribution.ts). */
  byFunction: Map<string, number>;
}

async function measure(v: { variant: string; path: string }, warm: number, counted: number, dir: string): Promise<Measurement> {
  const out = path.join(dir, `${v.variant}${v.path.replaceAll('/', '_')}`);
  // The perf map names V8's JIT code for the attribution table; it costs the server a line of
  // output per code object it compiles (counts within 0.3 % of a run without it). The flag also
  // makes V8 write a small log of its own, by default into the working directory: into `dir`.
  const nodeOptions = [PERF_MAP_FLAG, `--logfile=${path.join(dir, 'v8.log')}`];
  const server = await startServer(v.variant, callgrindCommand(out), nodeOptions);
  const control = callgrindControl(server.pid);
  try {
    const requests = await countedLoad(server.port, v.path, warm, counted, control);
    control('-d');
    const byFunction = instructionsByFunction(findDump(out, `${v.variant} ${v.path}`), server.pid);
    const perBucket = (name: string) => (byFunction.get(name) ?? 0) / requests;
    return { perRequest: countedInstructions(byFunction) / requests, compilerPerRequest: perBucket(COMPILER_BUCKET), majorGcPerRequest: perBucket(MAJOR_GC_BUCKET), requests, byFunction };
  } finally {
    await server.stop();
    rmSync(perfMapFile(server.pid), { force: true });
  }
}

export async function instructions(opts: { quick: boolean }): Promise<{ results: unknown; tables: Table[] }> {
  if (!hasValgrind()) throw new Error('the instructions part needs valgrind (apt-get install valgrind)');
  await prepareUsersTable();
  const [warm, counted] = opts.quick ? [300, 300] : [15_000, 15_000];
  const dir = mkdtempSync(path.join(tmpdir(), 'mariapool-callgrind-'));
  const results: Array<{ label: string } & Measurement> = [];
  let cycles: Awaited<ReturnType<typeof cycleInstructions>>;
  try {
    for (const v of opts.quick ? QUICK_VARIANTS : VARIANTS) {
      results.push({ label: v.label, ...(await measure(v, warm, counted, dir)) });
      process.stdout.write('.');
    }
    cycles = await cycleInstructions(opts, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write('\n');
  const count = (label: string) => results.find((r) => r.label === label)?.perRequest ?? NaN;
  const vs = (label: string, reference: string) => (Number.isNaN(count(reference)) ? '' : `${(count(label) / count(reference)).toFixed(3)}x`);
  const ratio = (label: string): string => {
    if (label.startsWith('Fastify + @mariapool')) return vs(label, 'Fastify + minimal pool by hand');
    if (label === 'Nest + @Conn()') return vs(label, 'Nest + pool.query()');
    return '';
  };
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const unnamed = `JIT code the perf map did not name, per request: ${results.map((r) => `${r.label} ${fmt((r.byFunction.get(UNNAMED_JIT) ?? 0) / r.requests)}`).join(', ')}.`;
  const main: Table = {
    title: `Server instructions per request (callgrind; ${counted} counted requests after ${warm} warm-up ones, autocannon 100 connections)`,
    header: ['server', 'instructions / request', 'JIT compiler, left out', 'old-generation GC, left out', 'this ÷ its reference'],
    rows: results.map((r) => [r.label, fmt(r.perRequest), fmt(r.compilerPerRequest), fmt(r.majorGcPerRequest), ratio(r.label)]),
    notes: [
      'References: the minimal pool by hand for the Fastify rows, Nest + pool.query() for Nest + @Conn(). Left out: V8\'s optimizing compiler and its old-generation collector, whose work lands in a counted window or not depending on the run (attribution.ts). Runs of the same code give counts within 1 % and ratios within 1.5 % of each other; the kernel\'s share (socket reads and writes, the same for every variant) is not counted, so these ratios are larger than the CPU-time ratios they explain.',
    ],
  };
  const reference = results.find((r) => r.label === ATTRIBUTED.reference);
  const other = results.find((r) => r.label === ATTRIBUTED.other);
  const variants = results.map(({ byFunction, ...rest }) => ({ ...rest, costliest: costliest({ byFunction, requests: rest.requests }, ATTRIBUTION_ROWS) }));
  if (reference === undefined || other === undefined) {
    // Quick mode measures the plugin alone: its costliest functions prove the naming works.
    const only = results[0]!;
    return {
      results: { warm, counted, variants, cycles: cycles.results },
      tables: [main, cycles.table, {
        title: `${only.label}: the ${ATTRIBUTION_ROWS} functions with the most self instructions per request`,
        header: ['function', 'instructions / request'],
        rows: costliest(only, ATTRIBUTION_ROWS).map((f) => [`\`${f.name}\``, fmt(f.perRequest)]),
        notes: [unnamed],
      }],
    };
  }
  const { rows, total } = largestDifferences(reference, other, ATTRIBUTION_ROWS);
  const origins = largestDifferences({ byFunction: byOrigin(reference.byFunction), requests: reference.requests }, { byFunction: byOrigin(other.byFunction), requests: other.requests }, Infinity).rows;
  const row = (f: { name: string; reference: number; other: number }, code = true) => [code && f.name !== total.name ? `\`${f.name}\`` : f.name, fmt(f.reference), fmt(f.other), `${f.other >= f.reference ? '+' : ''}${fmt(f.other - f.reference)}`];
  return {
    results: { warm, counted, variants, attribution: { ...ATTRIBUTED, origins, rows, total }, cycles: cycles.results },
    tables: [main, cycles.table, {
      title: "Where the plugin's extra instructions go, by origin: self instructions per request",
      header: ['origin', ATTRIBUTED.reference, ATTRIBUTED.other, 'difference'],
      rows: [...origins.map((f) => row(f, false)), row(total)],
      notes: ['Each function counted once, in its own origin (an inlined function in its caller\'s; see the next table).'],
    }, {
      title: `Where the plugin's extra instructions go: self instructions per request by function, the ${ATTRIBUTION_ROWS} largest differences`,
      header: ['function', ATTRIBUTED.reference, ATTRIBUTED.other, 'difference'],
      rows: [...rows.map((f) => row(f)), row(total)],
      notes: [
        'JIT code is named through the perf map Node writes with --perf-basic-prof, builtins and C++ by their symbols (bench/src/attribution.ts). An inline cache that misses is counted in the builtin that handles the miss (Builtins_LoadIC_Megamorphic, ...), not in the function whose property access missed, and an inlined function in the one it was inlined into; the two servers also inline differently, so a function can appear on one side only.',
        unnamed,
      ],
    }],
  };
}
