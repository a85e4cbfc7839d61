/**
 * npm run profile [-- part ...] [--quick]
 * parts: instructions (the HTTP servers and the bookkeeping loop: instructions per request and per
 * cycle, and where they go), cycles (the bookkeeping loop alone). Counted with valgrind's
 * callgrind (`apt-get install valgrind`). On demand, not in CI: it takes
 * minutes and a tool the suite does not need.
 */
import { runParts } from '../src/parts.js';
import { cycles } from './cycle-instructions.js';
import { instructions } from './instructions.js';

await runParts({ instructions, cycles }, process.argv.slice(2));
process.exit(0);
