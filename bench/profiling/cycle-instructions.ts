/**
 * The bookkeeping part's bare loop counted by callgrind: instructions per acquire/release cycle,
 * for the pools the bookkeeping targets name. Cycles/s ratios move with the machine (mariapool ÷
 * mysql2 at 100 callers: 2.55x to 3.63x over four runs on two machines); a count repeats within
 * a few instructions, so this says what each pool does per cycle, where the bookkeeping part can
 * only time it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { countedInstructions, instructionsByFunction } from './attribution.js';
import { callgrindCommand, callgrindControl, findDump } from './callgrind.js';
import { BASELINE_KINDS, type PoolKind } from '../src/competitors.js';
import type { Table } from '../src/report.js';

const LOOP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cycle-loop.js');
const KINDS: Array<{ kind: PoolKind; label: string }> = [
  { kind: 'mariapool', label: 'mariapool' },
  ...BASELINE_KINDS.map((kind) => ({ kind, label: `mariapool (${kind.slice('baseline:'.length)})` })),
  { kind: 'minimal', label: 'minimal FIFO' },
  { kind: 'mysql2', label: 'mysql2 pool' },
  { kind: 'mariadb', label: 'mariadb pool' },
];
const CALLERS = [1, 100];

/** Instructions per cycle of one pool at `callers`, V8's optimizing compiler and old-generation GC left out. */
async function perCycle(kind: PoolKind, callers: number, warm: number, counted: number, dir: string): Promise<number> {
  const out = path.join(dir, `cycles-${kind.replace(/[^A-Za-z0-9-]/g, '_')}-${callers}`);
  // --single-threaded: the compiler and the GC run on the counted thread, so what they do is
  // counted (the compiler apart, then left out) rather than lost on threads that are not.
  const [valgrind, ...options] = callgrindCommand(out);
  const child = spawn(valgrind!, [...options, process.execPath, '--single-threaded', LOOP, kind, String(callers), String(warm), String(counted)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const control = callgrindControl(child.pid!);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'WARM') control('-i', 'on');
    else if (line === 'DONE') {
      control('-i', 'off');
      control('-d');
    } else continue;
    child.stdin.write('\n');
  }
  const code = await exited;
  if (code !== 0) throw new Error(`cycle loop for ${kind} at ${callers} callers exited with ${code}`);
  const dump = findDump(out, `${kind} at ${callers} callers`);
  return countedInstructions(instructionsByFunction(dump, child.pid!)) / counted;
}

/** The table, and the counts (pool label -> callers -> instructions per cycle). */
export async function cycleInstructions(opts: { quick: boolean }, dir: string): Promise<{ results: Record<string, Record<number, number>>; table: Table }> {
  const [warm, counted] = opts.quick ? [5_000, 5_000] : [200_000, 100_000];
  // MARIAPOOL_CYCLES_POOLS=label,label counts only those pools (e.g. while trying a change).
  const only = process.env['MARIAPOOL_CYCLES_POOLS']?.split(',');
  const kinds = opts.quick ? KINDS.slice(0, 1) : KINDS.filter((k) => only === undefined || only.includes(k.label));
  const callers = opts.quick ? [100] : CALLERS;
  const results: Record<string, Record<number, number>> = {};
  for (const { kind, label } of kinds) {
    results[label] = {};
    for (const c of callers) {
      // A competitor that cannot run its loop under valgrind (the mariadb pool's own acquire
      // timeout can fire there) leaves its cell empty rather than losing every other count.
      try {
        results[label]![c] = await perCycle(kind, c, warm, counted, dir);
      } catch (error) {
        console.error(`\n${label} at ${c} callers: ${(error as Error).message}`);
      }
      process.stdout.write('.');
    }
  }
  const ours = results['mariapool'] ?? {};
  const fmt = (n: number | undefined) => (n === undefined ? '' : Math.round(n).toLocaleString('en-US'));
  return {
    results,
    table: {
      title: `Bookkeeping: instructions per acquire/release cycle (callgrind; the bookkeeping part's bare loop, ${counted.toLocaleString('en-US')} cycles counted after ${warm.toLocaleString('en-US')}, pool of 10)`,
      header: ['pool', ...callers.map((c) => `${c} caller${c === 1 ? '' : 's'}`), ...callers.map((c) => `this ÷ mariapool, ${c}`)],
      rows: Object.entries(results).map(([label, counts]) => [label, ...callers.map((c) => fmt(counts[c])), ...callers.map((c) => `${(counts[c]! / ours[c]!).toFixed(2)}x`)]),
      notes: ['Counted in one process per pool and caller count (node --single-threaded), V8\'s optimizing compiler and old-generation GC left out. "this ÷ mariapool" is how many times mariapool\'s instructions the pool executes per cycle: the ratio the cycles/s targets would show if every instruction took the same time.'],
    },
  };
}

/** The cycle count alone, as a part of its own (`npm run profile -- cycles`). */
export async function cycles(opts: { quick: boolean }): Promise<{ results: unknown; tables: Table[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mariapool-cycles-'));
  try {
    const { results, table } = await cycleInstructions(opts, dir);
    return { results, tables: [table] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
