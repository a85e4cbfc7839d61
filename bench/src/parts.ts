import { URL_ } from './competitors.js';
import { renderTable, saveResults, type Table } from './report.js';

/** One part of a benchmark run: measures, and returns its tables (raw results stay in memory). */
export type Part = (o: { quick: boolean }) => Promise<{ results: unknown; tables: Table[] }>;

/**
 * Runs the parts named on the command line (all of them when none is), prints their tables and
 * refreshes their sections of RESULTS.md. `--quick`: short runs, to check that the harness works.
 */
export async function runParts(parts: Record<string, Part>, args: readonly string[]): Promise<void> {
  const quick = args.includes('--quick');
  const chosen = args.filter((a) => !a.startsWith('--'));
  for (const name of chosen) if (!(name in parts)) throw new Error(`unknown part "${name}"; choose from ${Object.keys(parts).join(', ')}`);
  const context = `${quick ? 'quick mode, ' : ''}Node ${process.version}, ${URL_.replace(/:[^:@/]*@/, ':***@')}, ${new Date().toISOString()}`;
  for (const name of chosen.length > 0 ? chosen : Object.keys(parts)) {
    const started = performance.now();
    process.stdout.write(`\n== ${name}${quick ? ' (quick)' : ''} `);
    const { tables } = await parts[name]!({ quick });
    for (const t of tables) console.log(`\n${renderTable(t)}`);
    saveResults(quick ? `${name}-quick` : name, tables, context);
    console.log(`\n(${name}: ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
}
