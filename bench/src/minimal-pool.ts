/**
 * The floor of JS pool bookkeeping: a FIFO of waiters and a stack of idle resources, nothing else
 * (no timeouts, no health, no growth). Competitor "minimal".
 */
export class MinimalPool<T> {
  #idle: T[];
  #waiters: Array<(value: T) => void> = [];
  #head = 0;

  constructor(resources: T[]) {
    this.#idle = [...resources];
  }

  acquire(): Promise<T> {
    if (this.#head === this.#waiters.length && this.#idle.length > 0) return Promise.resolve(this.#idle.pop() as T);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(resource: T): void {
    if (this.#head < this.#waiters.length) {
      const next = this.#waiters[this.#head];
      this.#waiters[this.#head++] = undefined as never;
      if (this.#head === this.#waiters.length) this.#waiters = [], (this.#head = 0);
      next(resource);
    } else this.#idle.push(resource);
  }
}
