/**
 * A pino-compatible logger (pino, bunyan-style or `console`): the pool reports background events
 * (connect failures, lost connections, leaks, dirty returns) here instead of emitting `'error'`,
 * which would crash a process that does not listen. Lines never contain credentials.
 */
export interface PoolLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}
