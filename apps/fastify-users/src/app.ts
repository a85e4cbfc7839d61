import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { poolPlugin, type PoolPluginOptions } from '@mariapool/fastify';
import { usersRoutes } from './users.routes.js';

export interface AppOptions {
  /** @default process.env.MARIADB_URL ?? "mariadb://root@127.0.0.1:3306/test" */
  url?: string;
  /** Pool options on top of the URL. @default { minSize: 2, maxSize: 10, acquireTimeoutMs: 5000 } */
  pool?: PoolPluginOptions;
  /** Table holding the users (tests use their own). @default "users" */
  table?: string;
  fastify?: FastifyServerOptions;
}

const SEED = [
  ['Ada Lovelace', 'ada@example.com'],
  ['Grace Hopper', 'grace@example.com'],
  ['Edsger Dijkstra', 'edsger@example.com'],
];

/** Builds the users app: pool, schema + seed, routes. Ready to `listen()` or `inject()`. */
export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const table = options.table ?? 'users';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new Error(`table must be a plain identifier, got ${JSON.stringify(table)}`);
  const app = Fastify(options.fastify ?? {});
  await app.register(poolPlugin, {
    uri: options.url ?? process.env['MARIADB_URL'] ?? 'mariadb://root@127.0.0.1:3306/test',
    minSize: 2,
    maxSize: 10,
    acquireTimeoutMs: 5000,
    ...options.pool,
  });
  await app.pool.query(
    `CREATE TABLE IF NOT EXISTS ${table} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(255) NOT NULL UNIQUE)`,
  );
  await app.pool.batch(`INSERT IGNORE INTO ${table} (name, email) VALUES (?, ?)`, SEED);

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
