/**
 * Capped exponential backoff with jitter, for reconnecting while the server is down: the first
 * retry is quick (a restart is usually short), later ones spread out so a dead server is not
 * hammered, and jitter keeps many pools from retrying in lockstep.
 */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: { initialMs: number; maxMs: number; random?: () => number }) {
    this.#initialMs = options.initialMs;
    this.#maxMs = options.maxMs;
    this.#random = options.random ?? Math.random;
  }

  /**
   * The delay before the next attempt (ms), and counts the attempt. ±20 % jitter. `capMs` lowers
   * the ceiling for this attempt (a refused connect costs the server nothing, so retry it sooner).
   */
  next(capMs = this.#maxMs): number {
    const base = Math.min(this.#maxMs, capMs, this.#initialMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    return Math.round(base * (0.8 + 0.4 * this.#random()));
  }

  /** Consecutive failures so far. */
  get failures(): number {
    return this.#attempt;
  }

  reset(): void {
    this.#attempt = 0;
  }
}
