import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/** A password, or a function returning one (for credential rotation: called for each new connection). */
export type PasswordSource = string | (() => string | Promise<string>);

/**
 * Holds a credential so that no accidental path can print it: `toString`, `JSON.stringify`,
 * `util.inspect` and template literals all render `[redacted]`. Only the connector calls
 * `reveal()`, at connect time.
 */
export class Secret {
  readonly #source: PasswordSource;

  constructor(source: PasswordSource) {
    this.#source = source;
  }

  async reveal(): Promise<string> {
    return typeof this.#source === 'function' ? await this.#source() : this.#source;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
