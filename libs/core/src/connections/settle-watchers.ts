/**
 * Conditions on the pool's own state that someone awaits (open() waiting for its first
 * connections, close() waiting for the last socket), re-checked whenever a connection settles:
 * connected, failed to connect, or closed. No polling, no timer.
 */
export class SettleWatchers {
  readonly #checks = new Set<() => void>();

  /** True while someone waits (the pool opens a first connection for an open() with minSize 0). */
  get waiting(): boolean {
    return this.#checks.size > 0;
  }

  /** Resolves once `ready()` holds: now, or after a later notify(). */
  until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (!ready()) return;
        this.#checks.delete(check);
        resolve();
      };
      this.#checks.add(check);
    });
  }

  /** A connection settled: re-checks every pending condition. */
  notify(): void {
    for (const check of [...this.#checks]) check();
  }
}
