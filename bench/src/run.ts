/**
 * npm run bench [-- part ...] [--quick]
 * parts: bookkeeping queries http growth recovery (default: all). Every part runs mariapool and its
 * competitors side by side. --quick: short runs (CI checks that the harness works; it never
 * asserts a timing). Counting instructions is `npm run profile` (bench/profiling), on demand.
 */
import { bookkeeping } from './bookkeeping.js';
import { growth } from './growth.js';
import { http } from './http.js';
import { runParts } from './parts.js';
import { queries } from './queries.js';
import { recovery } from './recovery.js';

await runParts({ bookkeeping, queries, http, growth, recovery }, process.argv.slice(2));
process.exit(0);
