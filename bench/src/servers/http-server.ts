/**
 * One HTTP server per benchmark variant, started as a child process by http.ts:
 *   node http-server.js <variant>     (PORT from the environment; prints READY <port>)
 * Every variant serves GET /users/:id from the bench_users table with a pool of 10.
 */
import 'reflect-metadata';
import Fastify from 'fastify';
import * as mariadb from 'mariadb';
import { connectionConfig, URL_ } from '../competitors.js';
import { MinimalPool } from '../minimal-pool.js';
import { poolPlugin } from '@mariapool/fastify';
import { startNest } from './nest-server.js';

const variant = process.argv[2] ?? 'fastify-plugin';
const SQL = 'SELECT id, name, email FROM bench_users WHERE id = ?';
const port = Number(process.env['PORT'] ?? 0);
/** The three @mariapool/fastify variants differ only in their route. */
const PLUGIN_OPTIONS = { uri: URL_, minSize: 10, maxSize: 10, enableHealthCheck: false };

async function fastifyServer(): Promise<{ listen: () => Promise<number>; close: () => Promise<void> }> {
  const app = Fastify();
  switch (variant) {
    case 'fastify-plugin': {
      await app.register(poolPlugin, PLUGIN_OPTIONS);
      app.get<{ Params: { id: string } }>('/users/:id', async (req) => ((await (await req.getConnection()).query(SQL, [req.params.id])) as unknown[])[0]);
      break;
    }
    case 'fastify-plugin-release': {
      // The same route, giving the request's connection back as soon as its query is done (see the
      // README): how much of the plugin's cost is holding the connection until the response is written.
      await app.register(poolPlugin, PLUGIN_OPTIONS);
      app.get<{ Params: { id: string } }>('/users/:id', async (req) => {
        const conn = await req.getConnection();
        const rows = (await conn.query(SQL, [req.params.id])) as unknown[];
        await conn.release();
        return rows[0];
      });
      break;
    }
    case 'fastify-pool-query': {
      // mariapool without the request connection: the plugin's pool, app.pool.query() per request.
      // Against the plugin row, what the per-request layer costs; against minimal by hand, the core.
      await app.register(poolPlugin, PLUGIN_OPTIONS);
      app.get<{ Params: { id: string } }>('/users/:id', async (req) => ((await app.pool.query(SQL, [req.params.id])) as unknown[])[0]);
      break;
    }
    case 'fastify-mariadb-pool': {
      const pool = mariadb.createPool({ ...connectionConfig(), connectionLimit: 10, minimumIdle: 10 });
      app.addHook('onClose', () => pool.end());
      app.get<{ Params: { id: string } }>('/users/:id', async (req) => ((await pool.query(SQL, [req.params.id])) as unknown[])[0]);
      break;
    }
    case 'fastify-mysql': {
      const { default: fastifyMysql } = await import('@fastify/mysql');
      const cfg = connectionConfig();
      await app.register(fastifyMysql, { promise: true, connectionString: `mysql://${cfg.user}${cfg.password ? `:${cfg.password}` : ''}@${cfg.host}:${cfg.port}/${cfg.database}`, connectionLimit: 10 });
      app.get<{ Params: { id: string } }>('/users/:id', async (req) => {
        const [rows] = await (app as unknown as { mysql: { query(sql: string, v: unknown[]): Promise<[unknown[]]> } }).mysql.query(SQL, [req.params.id]);
        return rows[0];
      });
      break;
    }
    case 'fastify-minimal': {
      const conns = await Promise.all(Array.from({ length: 10 }, () => mariadb.createConnection(connectionConfig())));
      const pool = new MinimalPool(conns);
      app.addHook('onClose', async () => void (await Promise.all(conns.map((c) => c.end()))));
      app.get<{ Params: { id: string } }>('/users/:id', async (req) => {
        const c = await pool.acquire();
        try {
          return ((await c.query(SQL, [req.params.id])) as unknown[])[0];
        } finally {
          pool.release(c);
        }
      });
      break;
    }
    case 'fastify-no-db':
      app.get<{ Params: { id: string } }>('/users/:id', async (req) => ({ id: Number(req.params.id), name: 'static', email: 'static@example.com' }));
      break;
    default:
      throw new Error(`unknown variant ${variant}`);
  }
  return {
    listen: async () => {
      await app.listen({ port, host: '127.0.0.1' });
      return (app.server.address() as { port: number }).port;
    },
    close: () => app.close(),
  };
}

const server = variant.startsWith('nest') ? await startNest(variant) : await fastifyServer();
const actual = await server.listen();
process.stdout.write(`READY ${actual}\n`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
