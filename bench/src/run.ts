/**
 * npm run bench [-- part ...] [--quick]
 * parts: bookkeeping queries http growth recovery instructions (default: all). --quick: short runs (CI checks
 * that the harness works; it never asserts a timing).
 */
import { bookkeeping } from './bookkeeping.js';
import { growth } from './growth.js';
import { http } from './http.js';
import { instructions } from './instructions.js';
import { queries } from './queries.js';
import { recovery } from './recovery.js';
import { renderTable, saveResults, type Table } from './report.js';
import { URL_ } from './competitors.js';

const PARTS: Record<string, (o: { quick: boolean }) => Promise<{ results: unknown; tables: Table[] }>> = { bookkeeping, queries, http, growth, recovery, instructions };
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const chosen = args.filter((a) => !a.startsWith('--'));
for (const name of chosen) if (!(name in PARTS)) throw new Error(`unknown part "${name}"; choose from ${Object.keys(PARTS).join(', ')}`);
const context = `${quick ? 'quick mode, ' : ''}Node ${process.version}, ${URL_.replace(/:[^:@/]*@/, ':***@')}, ${new Date().toISOString()}`;

for (const name of chosen.length > 0 ? chosen : Object.keys(PARTS)) {
  const started = performance.now();
  process.stdout.write(`\n== ${name}${quick ? ' (quick)' : ''} `);
  const { results, tables } = await PARTS[name]!({ quick });
  for (const t of tables) console.log(`\n${renderTable(t)}`);
  saveResults(quick ? `${name}-quick` : name, results, tables, context);
  console.log(`\n(${name}: ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}
process.exit(0);
