import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * Kills every server this process started when it exits, however it exits: normal end, an
 * uncaught exception, SIGINT or SIGTERM. A crashed test run must not leave mariadbd processes behind.
 */
const children = new Set<ChildProcess>();
const directories = new Set<string>();
let installed = false;

/** Kills the servers first, then removes their directories (one exit listener, however many servers). */
function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
  directories.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      killAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal); // then die the way the signal intended
    };
    process.on(signal, onSignal);
  }
}

export function track(child: ChildProcess): void {
  install();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Removes `dir` when the process exits, after the servers are killed. */
export function removeOnExit(dir: string): void {
  install();
  directories.add(dir);
}

/** `dir` was removed already (a clean stop()). */
export function forget(dir: string): void {
  directories.delete(dir);
}
