import type { Clock, TimerHandle } from './clock.js';

/**
 * A background task run every `period()` ms on one unref'd timer, until stopped. The period is
 * read before each run, so a change of settings applies from the next one.
 */
export class RepeatingTimer {
  readonly #clock: Clock;
  readonly #period: () => number;
  readonly #run: () => void;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(clock: Clock, period: () => number, run: () => void) {
    this.#clock = clock;
    this.#period = period;
    this.#run = run;
  }

  start(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#stopped) return;
      this.#run();
      this.start();
    }, this.#period());
  }

  /** For good: a stopped timer does not start again. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
