/**
 * Running a process under callgrind with counting off until told: the command prefix, the switch
 * (callgrind_control), and the dump it writes. Shared by the counted HTTP servers and the counted
 * bookkeeping loop of the instructions part.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

/** valgrind and its options, to put before `node`: counting starts off, the dump goes to `out.<n>`. */
export function callgrindCommand(out: string): string[] {
  return ['valgrind', '-q', '--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${out}`];
}

/** callgrind_control for process `pid`: ('-i', 'on'|'off') switches counting, '-d' dumps. */
export function callgrindControl(pid: number): (...args: string[]) => void {
  return (...args) => void execFileSync('callgrind_control', [...args, String(pid)], { stdio: 'ignore' });
}

/** The dump callgrind wrote for `out` (in its folder); throws naming `what` when there is none. */
export function findDump(out: string, what: string): string {
  const dir = path.dirname(out);
  const dump = readdirSync(dir).map((f) => path.join(dir, f)).find((f) => f.startsWith(`${out}.`));
  if (dump === undefined) throw new Error(`callgrind wrote no dump for ${what}`);
  return dump;
}
