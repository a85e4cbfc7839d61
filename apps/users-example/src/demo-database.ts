import { createPool } from '@mariapool/core';
import { resolveDatabaseUrl, type MariaDbServer } from '@mariapool/testing';

/** The demos' own database on the local server, not the shared `test` one. */
export const DEMO_DATABASE_URL = 'mariadb://root@127.0.0.1:3306/mariapool_demo';

/**
 * The demo's database: `MARIADB_URL` when set (used as it is); else the demo database on the
 * local server, created if missing; else a private throw-away server (see resolveDatabaseUrl).
 */
export async function demoDatabase(): Promise<{ url: string; server?: MariaDbServer }> {
  const resolved = await resolveDatabaseUrl({ defaultUrl: DEMO_DATABASE_URL });
  if (resolved.url === DEMO_DATABASE_URL) {
    const server = await createPool(DEMO_DATABASE_URL.replace(/\/mariapool_demo$/, '/'), { minSize: 1, maxSize: 1, name: 'demo-setup' });
    try {
      await server.query('CREATE DATABASE IF NOT EXISTS mariapool_demo');
    } finally {
      await server.close();
    }
  }
  return resolved;
}
