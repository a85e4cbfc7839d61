import type { Pool, PoolConnection } from '@mariapool/core';

/** Route-level switch: run the request's connection in a transaction (`true` = default pool). */
export type TransactionOption = boolean | string;

declare module 'fastify' {
  interface FastifyInstance {
    /** The default pool (registered without `name`). */
    pool: Pool;
    /** Every pool registered with this plugin, by name; the default one is `pools.default`. */
    pools: Readonly<Record<string, Pool>>;
  }
  interface FastifyRequest {
    /**
     * The request's connection from the named pool (default: the default pool): acquired on the
     * first call, the same one for the rest of the request, released when the request ends
     * (response sent, error, client abort, timeout). A client abort cancels a pending acquire.
     */
    getConnection(name?: string): Promise<PoolConnection>;
  }
  interface FastifyContextConfig {
    /**
     * Run this route in a transaction on the request's connection: COMMIT before the response is
     * sent when the status is below 400, ROLLBACK otherwise. `true` uses the default pool; a
     * string names another pool.
     */
    transaction?: TransactionOption;
  }
}

export {};
