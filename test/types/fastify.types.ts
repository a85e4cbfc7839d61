// Type tests: compiled by `npm run typecheck`, never run. Every @ts-expect-error line must fail to
// compile; if one of them starts compiling, tsc reports the unused directive and the check fails.
import Fastify from 'fastify';
import type { Pool, PoolConnection, PoolStatus } from '@mariapool/core';
import { poolPlugin } from '@mariapool/fastify';

export async function typeChecks(): Promise<void> {
  const app = Fastify();
  await app.register(poolPlugin, { uri: 'mariadb://u@h/db', maxSize: 3, name: 'reports' });
  // @ts-expect-error unknown option (typo) is rejected by the plugin's option type
  await app.register(poolPlugin, { maxsize: 3 });
  // @ts-expect-error wrong option type
  await app.register(poolPlugin, { maxSize: '3' });

  const pool: Pool = app.pool;
  const status: PoolStatus = pool.status();
  const named: Pool | undefined = app.pools['reports'];
  void status;
  void named;
  // @ts-expect-error the registry is read-only for users
  app.pools['x'] = pool;

  app.get('/users/:id', { config: { transaction: true } }, async (request) => {
    const conn: PoolConnection = await request.getConnection();
    const other: PoolConnection = await request.getConnection('reports');
    // @ts-expect-error a pool name is a string
    await request.getConnection(1);
    // @ts-expect-error getConnection returns a promise, not a connection
    request.getConnection().query('SELECT 1');
    return [conn.threadId, other.threadId];
  });
  app.post('/named', { config: { transaction: 'reports' } }, async () => ({}));
  // @ts-expect-error transaction is a boolean or a pool name
  app.post('/bad', { config: { transaction: 1 } }, async () => ({}));
}
