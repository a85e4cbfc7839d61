/**
 * Where a callgrind dump's instructions ran, function by function (self instructions). V8's JIT
 * code has no symbols, so callgrind names it by address only; Node started with
 * --perf-basic-prof writes the name of every code object it creates to /tmp/perf-<pid>.map, and
 * the addresses are looked up there. Builtins and C++ keep callgrind's own names.
 *
 * Read with care: an inline cache that misses is counted in the builtin that handles the miss
 * (Builtins_LoadIC_Megamorphic, ...), not in the function whose property access missed, and a
 * function inlined into another is counted in that other one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Symbols of V8's optimizing compiler and its pipeline, counted apart. */
export const COMPILER = /compiler::|Turbofan|OptimizedCompilationJob|PipelineImpl|RegisterAllocator|InstructionSelector|LiveRange|Scheduler::/;
/** The bucket the compiler's functions are summed into. */
export const COMPILER_BUCKET = "V8's optimizing compiler";
/**
 * The old generation's collector (marking, sweeping, compaction), counted apart like the compiler:
 * whether one of its cycles falls inside a counted window varies from run to run (one run of Nest
 * + @Conn() counted 175.7k instructions a request, 2.5k of them in one marking visitor alone,
 * where the others gave 165-166k). The young generation's scavenges, many per window, stay in.
 */
const MAJOR_GC = /MarkCompact|MarkingVisitor|MarkingState|ConcurrentMarking|IncrementalMarking|MarkingBarrier|MarkingWorklist|Sweeper::|Evacuator|RecordMigratedSlot|PointersUpdating|UpdatingItem/;
/** The bucket the old generation's collector is summed into. */
export const MAJOR_GC_BUCKET = "V8's old-generation GC";
/** Buckets left out of per-request counts and comparisons. */
export const LEFT_OUT = [COMPILER_BUCKET, MAJOR_GC_BUCKET];
/** The bucket for JIT code the perf map does not name (should stay near 0). */
export const UNNAMED_JIT = 'JIT code (unnamed)';
/** Largest code object looked back for when naming an address (bytes). */
const MAX_CODE_SIZE = 1 << 20;
/** The repository root (this file is built to <root>/.bench-build/profiling): cut from code locations. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Node's option that writes the perf map this module reads. */
export const PERF_MAP_FLAG = '--perf-basic-prof';

/** The perf map Node writes for process `pid`. */
export function perfMapFile(pid: number): string {
  return `/tmp/perf-${pid}.map`;
}

interface CodeObject {
  start: number;
  end: number;
  name: string;
  /** Line in the map: a later object at the same address replaced an earlier one. */
  order: number;
}

/** Names addresses from a perf map; `undefined` when there is none (Node ran without --perf-basic-prof). */
function perfMapNamer(pid: number): ((address: number) => string) | undefined {
  const file = perfMapFile(pid);
  if (!existsSync(file)) return undefined;
  const codes: CodeObject[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, order) => {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m) codes.push({ start: parseInt(m[1]!, 16), end: parseInt(m[1]!, 16) + parseInt(m[2]!, 16), name: m[3]!, order });
  });
  codes.sort((a, b) => a.start - b.start || a.order - b.order);
  return (address) => {
    let lo = 0;
    let hi = codes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (codes[mid]!.start <= address) lo = mid + 1;
      else hi = mid;
    }
    let best: CodeObject | undefined;
    for (let i = lo - 1; i >= 0 && address - codes[i]!.start < MAX_CODE_SIZE; i--) {
      const c = codes[i]!;
      if (address < c.end && (best === undefined || c.order > best.order)) best = c;
    }
    return best === undefined ? UNNAMED_JIT : shortName(best.name);
  };
}

/** "JS:*#giveBack file:///<root>/libs/core/dist/pool.js:511:14" -> "#giveBack libs/core/dist/pool.js:511:14", whatever the tier. */
function shortName(perfName: string): string {
  const name = perfName.replace(/^(JS|LazyCompile|Function):[*^~+]?/, '').replace(`file://${ROOT}/`, '').replace(`${ROOT}/`, '');
  return name.startsWith(' ') ? `(anonymous)${name}` : name;
}

/** "???:Builtins_LoadIC [/usr/bin/node]", "./malloc/malloc.c:_int_malloc [libc]", "v8::X::f(int) [node]" -> the bare name. */
function symbolName(annotated: string): string {
  return annotated.replace(/ \[[^\]]*\]$/, '').replace(/^(\?\?\?|[^\s:]*\.\w+):/, '').replace(/'\d+$/, '').replace(/\(.*$/, '()');
}

/**
 * Self instructions by function for a callgrind dump of process `pid`. The optimizing compiler's
 * functions are summed into COMPILER_BUCKET, the old-generation collector's into MAJOR_GC_BUCKET.
 */
export function instructionsByFunction(dump: string, pid: number): Map<string, number> {
  const out = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', dump], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const nameAt = perfMapNamer(pid);
  const byFunction = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (!m || m[2]!.includes('PROGRAM TOTALS')) continue;
    const count = Number(m[1]!.replaceAll(',', ''));
    const jit = /^\?\?\?:0x([0-9a-f]+)/.exec(m[2]!);
    let name: string;
    if (jit !== null) name = nameAt?.(parseInt(jit[1]!, 16)) ?? UNNAMED_JIT;
    else if (COMPILER.test(m[2]!)) name = COMPILER_BUCKET;
    else if (MAJOR_GC.test(m[2]!)) name = MAJOR_GC_BUCKET;
    else name = symbolName(m[2]!);
    byFunction.set(name, (byFunction.get(name) ?? 0) + count);
  }
  return byFunction;
}

/** What a dump counts: every function but the LEFT_OUT buckets. */
export function countedInstructions(byFunction: Map<string, number>): number {
  let total = 0;
  for (const [name, count] of byFunction) if (!LEFT_OUT.includes(name)) total += count;
  return total;
}

/** Where a function comes from, first match wins. */
const ORIGINS: Array<[string, RegExp]> = [
  ['@mariapool/core', /libs\/core\//],
  ['@mariapool/fastify', /libs\/fastify\//],
  ['@mariapool/nestjs', /libs\/nestjs\//],
  ['the bench server (routes)', /\.bench-build\//],
  ['mariadb driver', /node_modules\/mariadb\//],
  ['Fastify and its dependencies', /node_modules\/(fastify|find-my-way|avvio|light-my-request|fast-json-stringify|@fastify)\//],
  ['Nest and its dependencies', /node_modules\/(@nestjs|rxjs|reflect-metadata)\//],
  ["Node's JS (http, streams, events, timers)", /node:/],
  ["V8's inline-cache slow paths", /^Builtins_\w*IC/],
  ["V8's other builtins (promises, calls, allocation)", /^Builtins_/],
  ['garbage collection', /Scaveng|heap::|Heap::|Evacuat|IteratePointers|MemoryChunk/],
  ['libc (malloc, memcpy)', /^_int_|malloc|free|^__mem|^__str/],
  ['other JS', /\.m?js:/],
];

/** The origin of a function name, for the summary by origin. */
export function originOf(name: string): string {
  return ORIGINS.find(([, pattern]) => pattern.test(name))?.[0] ?? "V8's runtime and other C++";
}

/** Self instructions summed by origin (see ORIGINS), the compiler and the old-generation GC left out. */
export function byOrigin(byFunction: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, count] of byFunction) {
    if (LEFT_OUT.includes(name)) continue;
    const origin = originOf(name);
    out.set(origin, (out.get(origin) ?? 0) + count);
  }
  return out;
}

/** Self instructions per request of one function in two servers. */
export interface FunctionRow {
  name: string;
  reference: number;
  other: number;
}

/**
 * The `n` functions whose self instructions per request differ most between two servers (the
 * compiler and the old-generation GC left out), and the sum over every function.
 */
export function largestDifferences(
  reference: { byFunction: Map<string, number>; requests: number },
  other: { byFunction: Map<string, number>; requests: number },
  n: number,
): { rows: FunctionRow[]; total: FunctionRow } {
  const names = new Set([...reference.byFunction.keys(), ...other.byFunction.keys()]);
  for (const name of LEFT_OUT) names.delete(name);
  const all = [...names].map((name) => ({
    name,
    reference: (reference.byFunction.get(name) ?? 0) / reference.requests,
    other: (other.byFunction.get(name) ?? 0) / other.requests,
  }));
  const total = all.reduce((t, r) => ({ name: 'all functions', reference: t.reference + r.reference, other: t.other + r.other }), { name: 'all functions', reference: 0, other: 0 });
  const rows = all.sort((a, b) => Math.abs(b.other - b.reference) - Math.abs(a.other - a.reference)).slice(0, n);
  return { rows, total };
}

/** One server's `n` costliest functions, self instructions per request (the compiler and the old-generation GC left out). */
export function costliest(measured: { byFunction: Map<string, number>; requests: number }, n: number): Array<{ name: string; perRequest: number }> {
  return [...measured.byFunction.entries()]
    .filter(([name]) => !LEFT_OUT.includes(name))
    .map(([name, count]) => ({ name, perRequest: count / measured.requests }))
    .sort((a, b) => b.perRequest - a.perRequest)
    .slice(0, n);
}
