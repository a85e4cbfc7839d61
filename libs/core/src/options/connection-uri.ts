import { InvalidPoolOptionError } from '../errors.js';

/** One server address; several make a failover / round-robin list. */
export interface HostAddress {
  host: string;
  /** @default 3306 */
  port: number;
}

/** What a connection URI says, before option resolution. Query parameters stay strings. */
export interface ParsedUri {
  user?: string;
  password?: string;
  hosts: HostAddress[];
  socketPath?: string;
  database?: string;
  /** `?key=value` pairs, decoded but not yet typed. */
  params: Record<string, string>;
}

const SCHEME = /^(mariadb|mysql):\/\//i;
const DEFAULT_PORT = 3306;

/**
 * Parses `mariadb://user:password@host:port/database?option=value` (also `mysql://`).
 * Credentials are percent-decoded; several hosts are `h1:3306,h2:3307`; IPv6 is `[::1]:3306`;
 * a unix socket is a percent-encoded path as host (`mariadb://app@%2Frun%2Fmysqld%2Fmysqld.sock/db`)
 * or `?socketPath=/run/mysqld/mysqld.sock`. Errors never echo the URI: it may hold a password.
 */
export function parseConnectionUri(uri: string): ParsedUri {
  if (typeof uri !== 'string') throw new InvalidPoolOptionError('uri', `expected a string, got ${typeof uri}`);
  const scheme = SCHEME.exec(uri);
  if (!scheme) {
    throw new InvalidPoolOptionError('uri', 'must start with mariadb:// or mysql://');
  }
  const rest = uri.slice(scheme[0].length);
  const queryAt = rest.indexOf('?');
  const beforeQuery = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rest.slice(queryAt + 1);
  const slashAt = beforeQuery.indexOf('/');
  const authority = slashAt < 0 ? beforeQuery : beforeQuery.slice(0, slashAt);
  const path = slashAt < 0 ? '' : beforeQuery.slice(slashAt + 1);

  const result: ParsedUri = { hosts: [], params: {} };
  // The last '@' separates credentials: an unencoded '@' in a password is then still understood.
  const at = authority.lastIndexOf('@');
  const hostPart = at < 0 ? authority : authority.slice(at + 1);
  if (at >= 0) {
    const userInfo = authority.slice(0, at);
    const colon = userInfo.indexOf(':');
    result.user = decode(colon < 0 ? userInfo : userInfo.slice(0, colon), 'user');
    if (colon >= 0) result.password = decode(userInfo.slice(colon + 1), 'password');
  }
  parseHosts(hostPart, result);
  if (path !== '') result.database = decode(path, 'database');
  for (const [key, value] of new URLSearchParams(query)) {
    if (key in result.params) throw new InvalidPoolOptionError(key, 'given twice in the URI query string');
    result.params[key] = value;
  }
  return result;
}

function parseHosts(hostPart: string, out: ParsedUri): void {
  if (hostPart === '') return;
  for (const item of hostPart.split(',')) {
    const decoded = decode(item, 'host');
    if (decoded.startsWith('/')) {
      if (out.socketPath !== undefined) throw new InvalidPoolOptionError('uri', 'more than one unix socket path');
      out.socketPath = decoded;
      continue;
    }
    out.hosts.push(parseHost(item));
  }
}

function parseHost(item: string): HostAddress {
  const ipv6 = /^\[([^\]]+)\](?::(\d*))?$/.exec(item);
  let host: string;
  let port: string | undefined;
  if (ipv6) {
    host = ipv6[1] as string;
    port = ipv6[2];
  } else {
    const colon = item.lastIndexOf(':');
    host = decode(colon < 0 ? item : item.slice(0, colon), 'host');
    port = colon < 0 ? undefined : item.slice(colon + 1);
  }
  if (host === '') throw new InvalidPoolOptionError('uri', 'a host in the URI is empty');
  if (port === undefined || port === '') return { host, port: DEFAULT_PORT };
  const n = Number(port);
  if (!/^\d+$/.test(port) || n < 1 || n > 65535) {
    throw new InvalidPoolOptionError('port', `"${port}" in the URI is not a port number (1-65535)`);
  }
  return { host, port: n };
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Never echo the text: for `password` that would leak it.
    throw new InvalidPoolOptionError('uri', `the ${what} part is not valid percent-encoding`);
  }
}
