import assert from 'node:assert/strict';
import { Pool, type PoolConnection, type PoolLogger, type PoolOptions } from '@mariapool/core';
import { FakeConnector, type FakeConnection } from './fake-connector.js';
import { ManualClock } from './manual-clock.js';

/** A pool on a fake connector and a manual clock, with a recording logger. */
export function setup(options: PoolOptions = {}) {
  const connector = new FakeConnector();
  const clock = new ManualClock();
  const logs: Array<{ level: string; msg: string; obj: object }> = [];
  const logger: PoolLogger = {
    warn: (obj, msg = '') => logs.push({ level: 'warn', msg, obj }),
    error: (obj, msg = '') => logs.push({ level: 'error', msg, obj }),
  };
  const pool = new Pool({ maxSize: 2, acquireTimeoutMs: 1000, enableHealthCheck: false, logger, ...options }, {
    connector,
    clock,
    random: () => 0.5,
  });
  return { pool, connector, clock, logs };
}

export function fake(conn: PoolConnection, connector: FakeConnector): FakeConnection {
  const found = connector.opened.find((c) => c.threadId === conn.threadId);
  assert.ok(found, 'lease maps to a fake connection');
  return found;
}

/** Records settlement order of promises. */
export function track<T>(p: Promise<T>, log: string[], label: string): Promise<T | undefined> {
  return p.then(
    (v) => (log.push(label), v),
    (e: unknown) => (log.push(`${label}:${(e as { code?: string }).code}`), undefined),
  );
}
