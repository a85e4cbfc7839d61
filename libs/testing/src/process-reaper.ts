import type { ChildProcess } from 'node:child_process';

/**
 * Kills every server this process started when it exits, however it exits: normal end, an
 * uncaught exception, SIGINT or SIGTERM. A crashed test run must not leave mariadbd processes behind.
 */
const children = new Set<ChildProcess>();
let installed = false;

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
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
