/**
 * npm run profile [-- --quick]
 * Counts the instructions the HTTP servers and the bookkeeping loop execute (valgrind's
 * callgrind; `apt-get install valgrind`) and says where they go. On demand, not in CI: it takes
 * minutes and a tool the suite does not need.
 */
import { runParts } from '../src/parts.js';
import { instructions } from './instructions.js';

await runParts({ instructions }, process.argv.slice(2));
process.exit(0);
