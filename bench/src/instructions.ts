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
 * from run to run by several % of the total.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startServer, userRequests, VARIANTS as HTTP_VARIANTS } from './http.js';
import type { Table } from './report.js';
import { prepareUsersTable } from './queries.js';

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

/** Symbols of V8's optimizing compiler and its pipeline, counted apart. */
const COMPILER = /compiler::|Turbofan|OptimizedCompilationJob|PipelineImpl|RegisterAllocator|InstructionSelector|LiveRange|Scheduler::/;

function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Total instructions of a callgrind dump, and the compilers' share. */
function countsOf(dump: string): { total: number; compiler: number } {
  const out = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', dump], { encoding: 'utf8', maxBuffer: 256 << 20 });
  let total = 0;
  let compiler = 0;
  for (const line of out.split('\n')) {
    const m = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (!m) continue;
    const n = Number(m[1]!.replaceAll(',', ''));
    if (m[2]!.includes('PROGRAM TOTALS')) total = n;
    else if (COMPILER.test(m[2]!)) compiler += n;
  }
  return { total, compiler };
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

async function measure(v: { variant: string; path: string }, warm: number, counted: number, dir: string): Promise<{ perRequest: number; compilerPerRequest: number }> {
  const out = path.join(dir, `${v.variant}${v.path.replaceAll('/', '_')}`);
  const server = await startServer(v.variant, ['valgrind', '-q', '--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${out}`]);
  const control = (...args: string[]) => execFileSync('callgrind_control', [...args, String(server.pid)], { stdio: 'ignore' });
  try {
    const requests = await countedLoad(server.port, v.path, warm, counted, control);
    control('-d');
    const dump = readdirSync(dir).map((f) => path.join(dir, f)).find((f) => f.startsWith(`${out}.`));
    if (dump === undefined) throw new Error(`callgrind wrote no dump for ${v.variant} ${v.path}`);
    const { total, compiler } = countsOf(dump);
    return { perRequest: (total - compiler) / requests, compilerPerRequest: compiler / requests };
  } finally {
    await server.stop();
  }
}

export async function instructions(opts: { quick: boolean }): Promise<{ results: unknown; tables: Table[] }> {
  if (!hasValgrind()) throw new Error('the instructions part needs valgrind (apt-get install valgrind)');
  await prepareUsersTable();
  const [warm, counted] = opts.quick ? [300, 300] : [15_000, 15_000];
  const dir = mkdtempSync(path.join(tmpdir(), 'mariapool-callgrind-'));
  const results: Array<{ label: string; perRequest: number; compilerPerRequest: number }> = [];
  try {
    for (const v of opts.quick ? QUICK_VARIANTS : VARIANTS) {
      results.push({ label: v.label, ...(await measure(v, warm, counted, dir)) });
      process.stdout.write('.');
    }
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
  return {
    results: { warm, counted, variants: results },
    tables: [{
      title: `Server instructions per request (callgrind; ${counted} counted requests after ${warm} warm-up ones, autocannon 100 connections)`,
      header: ['server', 'instructions / request', 'JIT compiler, left out', 'this ÷ its reference'],
      rows: results.map((r) => [r.label, Math.round(r.perRequest).toLocaleString('en-US'), Math.round(r.compilerPerRequest).toLocaleString('en-US'), ratio(r.label)]),
      notes: [
        'References: the minimal pool by hand for the Fastify rows, Nest + pool.query() for Nest + @Conn(). Three runs of the same code gave counts within 1 % and ratios within 1.5 % of each other; the kernel\'s share (socket reads and writes, the same for every variant) is not counted, so these ratios are larger than the CPU-time ratios they explain.',
      ],
    }],
  };
}
