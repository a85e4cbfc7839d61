import type { Logger } from '@nestjs/common';
import type { PoolLogger } from '@mariapool/core';

/** One field of a pool event as text: an error by its code and message, anything else as JSON. */
function field(key: string, value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return `${key}=${typeof code === 'string' ? `${code}: ` : ''}${value.message}`;
  }
  return `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
}

/** The event's message and its fields on one line; an acquiring stack (leaks) goes below it. */
function line(obj: object, msg = ''): string {
  const { acquiredAt, ...rest } = obj as { acquiredAt?: unknown };
  const fields = Object.entries(rest).map(([k, v]) => field(k, v)).join(' ');
  const text = fields === '' ? msg : `${msg} (${fields})`;
  return typeof acquiredAt === 'string' ? `${text}\n${acquiredAt}` : text;
}

/**
 * The pool's events through Nest's Logger, one line each: Nest's logger prints a second argument
 * as a context or a second line, so the event's object and message are joined first.
 */
export function nestPoolLogger(logger: Logger): PoolLogger {
  return {
    warn: (obj, msg) => logger.warn(line(obj, msg)),
    error: (obj, msg) => logger.error(line(obj, msg)),
    debug: (obj, msg) => logger.debug(line(obj, msg)),
  };
}
