/**
 * Every pool we compare, behind one shape. Each opens `size` connections up front so no
 * benchmark measures connection setup.
 */
import * as mariadb from 'mariadb';
import type { PoolConnection as Mysql2Connection } from 'mysql2/promise';
import { createPool as createMariapool } from '@mariapool/core';
import { pathToFileURL } from 'node:url';
import { MinimalPool } from './minimal-pool.js';

export const URL_ = process.env['MARIADB_URL'] ?? 'mariadb://root@127.0.0.1:3306/test';

export function connectionConfig(url = URL_): { host: string; port: number; user: string; password?: string; database: string } {
  const u = new URL(url.replace(/^mariadb:|^mysql:/, 'http:'));
  return {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    database: u.pathname.slice(1) || 'test',
  };
}

export interface Lease {
  query(sql: string, values?: unknown[]): Promise<unknown>;
}

/** A pool under test: exclusive borrow, and optionally a one-shot query on the pool. */
export interface BenchPool {
  name: string;
  acquire(): Promise<Lease>;
  release(lease: Lease): void;
  poolQuery?: (sql: string, values?: unknown[]) => Promise<unknown>;
  close(): Promise<void>;
}

/** A build of @mariapool/core other than this checkout's, compared side by side (see BASELINES). */
export type BaselineKind = `baseline:${string}`;
export type PoolKind = 'mariapool' | BaselineKind | 'mariadb' | 'mysql2' | 'tarn' | 'generic-pool' | 'minimal';

/**
 * Other builds of @mariapool/core to run beside this checkout's in the bookkeeping and queries
 * parts, for before/after ratios in one run:
 * `MARIAPOOL_BASELINES="before=/path/to/checkout/libs/core/dist/index.js" npm run bench -- queries`
 * (several as `label=path,label=path`).
 */
export const BASELINES: ReadonlyMap<string, string> = new Map(
  (process.env['MARIAPOOL_BASELINES'] ?? '')
    .split(',')
    .filter((entry) => entry.includes('='))
    .map((entry) => [entry.slice(0, entry.indexOf('=')).trim(), entry.slice(entry.indexOf('=') + 1).trim()] as [string, string]),
);

/** The pool kinds of the baselines, in the order given. */
export const BASELINE_KINDS: BaselineKind[] = [...BASELINES.keys()].map((label) => `baseline:${label}` as const);

async function rawConnections(n: number, url = URL_): Promise<mariadb.Connection[]> {
  return Promise.all(Array.from({ length: n }, () => mariadb.createConnection(connectionConfig(url))));
}

export interface BenchPoolOptions {
  /**
   * Validate connections idle for a while by pinging them on borrow (mariapool after 250 ms, the
   * mariadb pool after 500 ms). The bookkeeping part turns this off: it measures pools with no I/O
   * between acquire and release, in a loop of microtasks that never yields to I/O, so a ping's
   * answer would only be read once the run is over. @default true
   */
  borrowPings?: boolean;
}

export async function createBenchPool(kind: PoolKind, size: number, url = URL_, options: BenchPoolOptions = {}): Promise<BenchPool> {
  const cfg = connectionConfig(url);
  const pings = options.borrowPings ?? true;
  if (kind.startsWith('baseline:')) return baselinePool(kind as BaselineKind, size, url, pings);
  switch (kind) {
    case 'mariapool': {
      const pool = await createMariapool(url, { minSize: size, maxSize: size, enableHealthCheck: false, name: 'bench', ...(pings ? {} : { pingThresholdMs: 0 }) });
      return {
        name: 'mariapool',
        acquire: () => pool.acquire(),
        release: (l) => void (l as unknown as { release(): Promise<void> }).release(),
        poolQuery: (sql, values) => pool.query(sql, values),
        close: () => pool.close(),
      };
    }
    case 'mariadb': {
      // minDelayValidation 0 would mean "ping on every borrow"; a huge delay means never.
      const pool = mariadb.createPool({ ...cfg, connectionLimit: size, minimumIdle: size, ...(pings ? {} : { minDelayValidation: 2 ** 31 - 1 }) });
      const warm = await Promise.all(Array.from({ length: size }, () => pool.getConnection()));
      for (const c of warm) await c.release();
      return {
        name: 'mariadb pool',
        acquire: () => pool.getConnection(),
        release: (l) => void (l as mariadb.PoolConnection).release(),
        poolQuery: (sql, values) => pool.query(sql, values),
        close: () => pool.end(),
      };
    }
    case 'mysql2': {
      // Each competitor library is loaded by the case that uses it: a bookkeeping worker or a
      // counted loop then holds one pool library, as an application would (and loads faster).
      const { default: mysql } = await import('mysql2/promise');
      const pool = mysql.createPool({ ...cfg, connectionLimit: size, maxIdle: size });
      const warm = await Promise.all(Array.from({ length: size }, () => pool.getConnection()));
      for (const c of warm) c.release();
      return {
        name: 'mysql2 pool',
        acquire: () => pool.getConnection() as Promise<unknown> as Promise<Lease>,
        release: (l) => (l as unknown as Mysql2Connection).release(),
        poolQuery: (sql, values) => pool.query(sql, values),
        close: () => pool.end(),
      };
    }
    case 'tarn': {
      const conns = await rawConnections(size, url);
      let i = 0;
      const tarn = await import('tarn');
      const pool = new tarn.Pool<mariadb.Connection>({ create: async () => conns[i++], destroy: (c) => void c.end(), min: size, max: size });
      const warm = await Promise.all(Array.from({ length: size }, () => pool.acquire().promise));
      for (const c of warm) pool.release(c);
      return {
        name: 'tarn',
        acquire: () => pool.acquire().promise,
        release: (l) => void pool.release(l as mariadb.Connection),
        close: async () => {
          await pool.destroy();
          for (const c of conns) await c.end();
        },
      };
    }
    case 'generic-pool': {
      const conns = await rawConnections(size, url);
      let i = 0;
      const { default: genericPool } = await import('generic-pool');
      const pool = genericPool.createPool<mariadb.Connection>({ create: async () => conns[i++], destroy: async () => undefined }, { min: size, max: size });
      const warm = await Promise.all(Array.from({ length: size }, () => pool.acquire()));
      for (const c of warm) await pool.release(c);
      return {
        name: 'generic-pool',
        acquire: () => pool.acquire(),
        release: (l) => void pool.release(l as mariadb.Connection),
        close: async () => {
          await pool.drain();
          await pool.clear();
          for (const c of conns) await c.end();
        },
      };
    }
    case 'minimal': {
      const conns = await rawConnections(size, url);
      const pool = new MinimalPool(conns);
      return {
        name: 'minimal FIFO',
        acquire: () => pool.acquire(),
        release: (l) => pool.release(l as mariadb.Connection),
        close: async () => {
          for (const c of conns) await c.end();
        },
      };
    }
    default:
      throw new Error(`unknown pool kind "${kind}"`);
  }
}

/**
 * Raw connections, round-robin. `pipelined`: every caller's query goes straight to the next
 * connection (the driver pipelines them: the ceiling for a multiplexing pool). Otherwise one query
 * in flight per connection (the ceiling of any exclusive-borrow pool).
 */
/** The same contender as 'mariapool', built from another checkout's core (see BASELINES). */
async function baselinePool(kind: BaselineKind, size: number, url: string, pings: boolean): Promise<BenchPool> {
  const label = kind.slice('baseline:'.length);
  const entry = BASELINES.get(label);
  if (entry === undefined) throw new Error(`no baseline "${label}" in MARIAPOOL_BASELINES`);
  const core = (await import(pathToFileURL(entry).href)) as { createPool: typeof createMariapool };
  const pool = await core.createPool(url, { minSize: size, maxSize: size, enableHealthCheck: false, name: 'bench', ...(pings ? {} : { pingThresholdMs: 0 }) });
  return {
    name: `mariapool (${label})`,
    acquire: () => pool.acquire(),
    release: (l) => void (l as unknown as { release(): Promise<void> }).release(),
    poolQuery: (sql, values) => pool.query(sql, values),
    close: () => pool.close(),
  };
}

export async function createRawRoundRobin(size: number, pipelined: boolean, url = URL_): Promise<{ name: string; query(sql: string, values?: unknown[]): Promise<unknown>; close(): Promise<void> }> {
  const conns = await rawConnections(size, url);
  let next = 0;
  if (pipelined) {
    return {
      name: 'raw-rr (pipelined)',
      query: (sql, values) => conns[next++ % size].query(sql, values),
      close: async () => void (await Promise.all(conns.map((c) => c.end()))),
    };
  }
  // One query in flight per connection: each connection keeps a chain, callers join it in turn.
  const chains: Array<Promise<unknown>> = conns.map(() => Promise.resolve());
  return {
    name: 'raw-rr:nopipe',
    query: (sql, values) => {
      const k = next++ % size;
      const run = chains[k].then(() => conns[k].query(sql, values));
      chains[k] = run.catch(() => undefined);
      return run;
    },
    close: async () => void (await Promise.all(conns.map((c) => c.end()))),
  };
}
