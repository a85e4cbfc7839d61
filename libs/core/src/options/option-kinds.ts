import { InvalidPoolOptionError } from '../errors.js';
import type { PoolLogger } from '../observability/pool-logger.js';
import type { HostAddress } from './connection-uri.js';
import { Secret } from './secret.js';

/**
 * The kinds of value an option may take, and what each accepts. Every option, the pool's and the
 * driver's, is declared with one; validation, URI parsing and messages all go by it.
 */
export type OptionKind =
  | 'size' | 'count' | 'depth' | 'ms' | 'port' | 'bool' | 'string' | 'stringOrArray'
  | 'object' | 'function' | 'any' | 'ssl' | 'logger' | 'password' | 'hosts' | 'uri';

/** Beyond this, a pool is almost certainly a mistake: MariaDB's default max_connections is 151. */
export const MAX_POOL_SIZE = 1000;
/** Longest time option accepted (ms): 24 days fits a 32-bit timer without overflow. */
const MAX_MS = 2_073_600_000;

/** What is wrong with `v` as a value of `kind`, or undefined when nothing is. */
export function kindProblem(kind: OptionKind, v: unknown): string | undefined {
  const got = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
  switch (kind) {
    case 'size':
      if (!Number.isInteger(v) || (v as number) < 0) return `expected an integer >= 0, got ${show(v)}`;
      if ((v as number) > MAX_POOL_SIZE) return `must be at most ${MAX_POOL_SIZE}, got ${v}`;
      return undefined;
    case 'count':
      return Number.isInteger(v) && (v as number) >= 0 ? undefined : `expected an integer >= 0, got ${show(v)}`;
    case 'depth':
      return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1024 ? undefined : `expected an integer 1-1024, got ${show(v)}`;
    case 'ms':
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `expected a time in ms >= 0, got ${show(v)}`;
      return v > MAX_MS ? `must be at most ${MAX_MS} ms (24 days), got ${v}` : undefined;
    case 'port':
      return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535
        ? undefined
        : `expected a port number 1-65535, got ${show(v)}`;
    case 'bool':
      return typeof v === 'boolean' ? undefined : `expected a boolean, got ${got}`;
    case 'string':
    case 'uri':
      return typeof v === 'string' ? undefined : `expected a string, got ${got}`;
    case 'stringOrArray':
      return typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'))
        ? undefined
        : `expected a string or an array of strings, got ${got}`;
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : `expected an object, got ${got}`;
    case 'function':
      return typeof v === 'function' ? undefined : `expected a function, got ${got}`;
    case 'ssl':
      return typeof v === 'boolean' || (typeof v === 'object' && v !== null) ? undefined : `expected a boolean or a TLS options object, got ${got}`;
    case 'password':
      // Deliberately no value in the message: it is a password.
      return typeof v === 'string' || typeof v === 'function' || v instanceof Secret
        ? undefined
        : `expected a string or a function returning one, got ${got}`;
    case 'logger':
      return typeof v === 'object' && v !== null && typeof (v as PoolLogger).warn === 'function' && typeof (v as PoolLogger).error === 'function'
        ? undefined
        : 'expected a logger with warn() and error() methods (pino, console, ...)';
    case 'hosts':
      return Array.isArray(v) && v.length > 0 && v.every(isHost)
        ? undefined
        : 'expected a non-empty array of { host: string, port?: number }';
    case 'any':
      return undefined;
  }
}

function isHost(h: unknown): boolean {
  if (typeof h !== 'object' || h === null) return false;
  const { host, port } = h as Partial<HostAddress>;
  return typeof host === 'string' && host !== '' && (port === undefined || kindProblem('port', port) === undefined);
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * Turns a URI query parameter's text into a value of `kind` (numbers, booleans); a value that does
 * not parse stays text, so the kind's check names the problem. Throws for kinds a URI cannot carry.
 */
export function coerceFromText(key: string, kind: OptionKind, text: string): unknown {
  switch (kind) {
    case 'size': case 'count': case 'depth': case 'ms': case 'port':
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    case 'bool':
      return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
    case 'ssl':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'string': case 'password':
      return text;
    default:
      throw new InvalidPoolOptionError(key, 'cannot be given in the URI query string');
  }
}
