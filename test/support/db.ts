import net from 'node:net';
import { createPool, type Pool, type PoolOptions } from '@mariapool/core';

/** The server every integration test uses (one variable, one place). */
export const MARIADB_URL = process.env['MARIADB_URL'] ?? 'mariadb://root@127.0.0.1:3306/test';

/** Options that keep test pools quiet and quick to close. */
export function testPool(options: PoolOptions = {}): Promise<Pool> {
  return createPool(MARIADB_URL, { acquireTimeoutMs: 5000, ...options });
}

let admin: Pool | undefined;

/** A small pool for the test's own administrative statements (KILL, processlist, setup). */
export async function adminSql<T = any>(sql: string, values?: unknown): Promise<T> {
  admin ??= await createPool(MARIADB_URL, { name: 'test-admin', minSize: 1, maxSize: 2, pingThresholdMs: 0 });
  return admin.query<T>(sql, values);
}

export async function closeAdmin(): Promise<void> {
  await admin?.close();
  admin = undefined;
}

/** Server-side thread ids of sessions whose last statement or state mentions nothing: by id list. */
export async function liveThreadIds(ids: Array<number | null>): Promise<number[]> {
  const wanted = ids.filter((id): id is number => id !== null);
  if (wanted.length === 0) return [];
  const rows = await adminSql<Array<{ ID: number | bigint }>>(
    `SELECT ID FROM information_schema.PROCESSLIST WHERE ID IN (${wanted.map(() => '?').join(',')})`,
    wanted,
  );
  return rows.map((r) => Number(r.ID));
}

/** Waits (up to `withinMs`) until none of `ids` is a server session any more; returns those left. */
export async function sessionsGone(ids: Array<number | null>, withinMs = 1000): Promise<number[]> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    const left = await liveThreadIds(ids);
    if (left.length === 0 || performance.now() > deadline) return left;
    await sleep(20);
  }
}

/**
 * Waits until `condition` holds, polling every 10 ms; fails naming `what` after `withinMs`. For
 * tests that would otherwise sleep a fixed time and hope the pool has caught up.
 */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, withinMs = 3000): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${withinMs} ms waiting for: ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A local TCP port nothing listens on (connects to it are refused). */
export async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
