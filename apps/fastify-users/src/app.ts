import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { poolPlugin, type PoolPluginOptions } from '@mariapool/fastify';
import { checkTableName, DEMO_DATABASE_URL, prepareUsersTable } from 'users-example';
import { usersRoutes } from './users.routes.js';

export interface AppOptions {
  /** @default process.env.MARIADB_URL ?? the demo database (DEMO_DATABASE_URL) */
  url?: string;
  /** Pool options on top of the URL. @default { minSize: 2, maxSize: 10, acquireTimeoutMs: 5000 } */
  pool?: PoolPluginOptions;
  /** Table holding the users (tests use their own). @default "users" */
  table?: string;
  fastify?: FastifyServerOptions;
}

/** Builds the users app: pool, schema + seed, routes. Ready to `listen()` or `inject()`. */
export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const table = checkTableName(options.table ?? 'users');
  const app = Fastify(options.fastify ?? {});
  await app.register(poolPlugin, {
    uri: options.url ?? process.env['MARIADB_URL'] ?? DEMO_DATABASE_URL,
    minSize: 2,
    maxSize: 10,
    acquireTimeoutMs: 5000,
    ...options.pool,
  });
  await prepareUsersTable(app.pool, table);

  await app.register(usersRoutes, { table });

  app.get('/health', async (_request, reply) => {
    try {
      await app.pool.withConnection((conn) => conn.ping(), { timeoutMs: 2000 });
      return { status: 'ok', pool: app.pool.status() };
    } catch (error) {
      return reply.code(503).send({ status: 'error', error: (error as Error).message, pool: app.pool.status() });
    }
  });
  app.get('/pool', async () => ({ status: app.pool.status(), stats: app.pool.stats() }));
  return app;
}
